"""``--diff``: a fix as a unified diff that ``patch -p0`` and ``git apply`` take as it is.

Lines are what patch calls lines: split at LF only, each with its own bytes (CR before the
LF, a lone CR, the BOM, tabs, U+2028 and all), and a last line without LF is followed by
``\\ No newline at end of file``. Applying the diff gives exactly what ``--fix`` writes.
For a terminal, what it would interpret (ESC, CR, bidi and other invisible characters)
is shown escaped instead: that text is for reading, not for ``patch``.
"""

from __future__ import annotations

import difflib

from nimlint.escaping import printable

NO_NEWLINE = b"\\ No newline at end of file\n"


def unified_diff(name: str, before: bytes, after: bytes, *, terminal: bool = False) -> bytes:
    """The change from ``before`` to ``after`` (a file's bytes) as a unified diff."""
    label = printable(name).encode("utf-8")
    if b" " in label:  # patch reads a name up to a space unless a tab ends it (as git writes)
        label += b"\t"
    lines = difflib.diff_bytes(
        difflib.unified_diff,
        _lf_lines(before),
        _lf_lines(after),
        fromfile=label,
        tofile=label,
    )
    out = []
    for number, line in enumerate(lines):
        ended = line.endswith(b"\n")
        if terminal and number > 1 and not line.startswith(b"@@"):  # not a header
            line = _shown(line)
        elif not ended:
            line += b"\n"
        out.append(line if ended else line + NO_NEWLINE)
    return b"".join(out)


def _lf_lines(data: bytes) -> list[bytes]:
    """``data`` cut after each LF, as patch cuts it."""
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _shown(line: bytes) -> bytes:
    """One diff line for a terminal: its line end dropped, the rest escaped (tabs kept)."""
    text = line.decode("utf-8", "replace").removesuffix("\n").removesuffix("\r")
    return ("\t".join(printable(part) for part in text.split("\t")) + "\n").encode("utf-8")
