"""Apply fixes, like ruff: sort the edits, defer overlapping ones to the next pass, and
lint again until no fix applies (at most MAX_PASSES times)."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from nimlint.engine.fix_edits import apply_edits
from nimlint.findings import Edit, Finding, Fix
from nimlint.loading.source import decode

if TYPE_CHECKING:
    from nimlint.lint import Linter

MAX_PASSES = 10


class FixedFile:
    """One file's fixing: what remains, and its text before and after."""

    __slots__ = ("bom", "findings", "fixed", "name", "original", "path", "text")

    def __init__(self, path: str, name: str, findings: list[Finding]):
        self.path = path
        self.name = name
        self.findings = findings
        self.original = self.text = ""
        self.fixed = 0  # findings fixed
        self.bom = ""

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def encoded(self) -> bytes:
        return (self.bom + self.text).encode("utf-8")


def wanted(fix: Fix | None, unsafe: bool) -> bool:
    return fix is not None and (fix.applicability == "safe" or unsafe)


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, int]:
    """``text`` with every fix whose edits overlap no earlier fix's; and how many applied.

    A fix identical to one already taken (two rules, one repair) counts as applied; an
    overlapping one waits for the next pass, on the text this pass produces.
    """
    taken: list[Edit] = []
    applied = 0
    for fix in sorted(fixes, key=lambda f: (min(e.start for e in f.edits), f.message)):
        if all(edit in taken for edit in fix.edits):
            applied += 1
        elif not any(_overlap(edit, other) for edit in fix.edits for other in taken):
            taken.extend(fix.edits)
            applied += 1
    return apply_edits(text, tuple(taken)), applied


def _overlap(a: Edit, b: Edit) -> bool:
    return (a.start < b.end and b.start < a.end) or (a.start == b.start and a.end == b.end)


def fix_file(
    linter: Linter,
    raw: bytes,
    name: str,
    folder: Path,
    path: str,
    findings: list[Finding] | None = None,
) -> FixedFile:
    """Apply the fixes of ``raw`` (``linter.options.fix``: safe, or unsafe too), linting it
    first unless its ``findings`` (with fixes attached) are given."""
    if findings is None:
        findings = linter.lint_bytes(raw, name, folder)
    result = FixedFile(path, name, findings)
    text = decode(raw)
    if isinstance(text, str) and raw.startswith(codecs.BOM_UTF8):
        result.bom = "\ufeff"
    elif isinstance(text, str) and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return result  # UTF-16 and UTF-32 files are reported, not rewritten
    if not isinstance(text, str):
        return result
    result.original = result.text = text
    unsafe = linter.options.fix == "unsafe"
    for _ in range(MAX_PASSES):
        fixes = [f.fix for f in result.findings if wanted(f.fix, unsafe)]
        if not fixes:
            break
        fixed_text, applied = apply_fixes(result.text, fixes)
        if fixed_text == result.text:
            break
        result.text, result.fixed = fixed_text, result.fixed + applied
        result.findings = linter.lint_bytes(fixed_text.encode("utf-8"), name, folder)
    return result


def unified_diff(fixed: FixedFile) -> str:
    """The fix of one file as a unified diff, control characters escaped for the terminal."""
    import difflib

    from nimlint.escaping import printable

    before = fixed.original.splitlines(keepends=True)
    after = fixed.text.splitlines(keepends=True)
    name = printable(fixed.name)
    lines = difflib.unified_diff(before, after, fromfile=name, tofile=name)
    return "".join(printable(line.rstrip("\r\n")) + "\n" for line in lines)
