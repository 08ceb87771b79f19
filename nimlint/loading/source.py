"""From bytes to documents: encoding, size limit, YAML or JSON."""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterator
from functools import cache

from nimlint.findings import Span
from nimlint.loading.layout import Layout
from nimlint.loading.model import Document, ParseFailure
from nimlint.loading.scalars import MAX_INT, MIN_INT
from nimlint.loading.yaml_stream import iter_documents

MAX_FILE_BYTES = 32 * 1024 * 1024


@cache
def _not_yaml() -> re.Pattern:
    """Not printable in YAML, or a YAML 1.1 line break (libyaml folds it inside strings)."""
    return re.compile(
        "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    )


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(raw: bytes) -> str | ParseFailure:
    """Decode a file's bytes (UTF-8, or UTF-16/32 with a BOM); binary is a failure."""
    if len(raw) > MAX_FILE_BYTES:
        return ParseFailure(
            "P006",
            f"file not linted: it is over the {MAX_FILE_BYTES:,}-byte limit",
            Span(1, 1, 1, 1),
        )
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    if encoding == "utf-8" and b"\x00" in raw[:8192]:
        return ParseFailure(
            "P007", "binary file (it contains NUL bytes): not linted", Span(1, 1, 1, 1)
        )
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return ParseFailure(
            "P007",
            f"invalid {encoding.upper()} (byte 0x{raw[exc.start]:02x} at offset {exc.start}): "
            "not linted",
            Span(line, column, line, column + 1),
        )


def documents(
    text: str, *, is_json: bool, layout: Layout | None = None
) -> Iterator[Document | ParseFailure]:
    """Yield the documents of ``text``: a YAML stream (``layout`` learns where its comments
    can be), or a single JSON value."""
    if not is_json or not text.strip():  # an empty JSON file is empty (P004), not bad JSON
        yield from iter_documents(text, layout=layout)
        return
    try:
        value = json.loads(
            text, parse_int=_json_int, parse_float=_json_float, parse_constant=lambda _: None
        )
    except json.JSONDecodeError as exc:
        yield _json_failure(exc)
        return
    except RecursionError:
        yield ParseFailure("P006", "JSON nested too deeply: not linted", Span(1, 1, 1, 1))
        return
    surrogate = _lone_surrogate(text)
    if surrogate is not None:
        yield surrogate
        return
    # Positions (and duplicate keys, P011) come from libyaml, which rejects or folds some
    # characters JSON strings may hold: it reads a copy with those replaced, same length.
    positioned = list(iter_documents(_not_yaml().sub("_", text), json_mode=True))
    doc = positioned[0] if len(positioned) == 1 else None
    if not isinstance(doc, Document):  # valid JSON that libyaml cannot read: no positions
        doc = Document(data=None, index=0, positions={})
    doc.data = value
    yield doc


def _json_failure(exc: json.JSONDecodeError) -> ParseFailure:
    """A JSON syntax error; a comma before a closing bracket is named and pointed at."""
    before = exc.doc[: exc.pos].rstrip()
    if before.endswith(",") and exc.doc[exc.pos : exc.pos + 1] in ("}", "]"):
        comma = len(before) - 1
        line = exc.doc.count("\n", 0, comma) + 1
        column = comma - exc.doc.rfind("\n", 0, comma)
        closing = exc.doc[exc.pos]
        message = (
            f"JSON syntax error: trailing comma before '{closing}' "
            "(JSON allows no comma after the last item; remove it)"
        )
        return ParseFailure("P001", message, Span(line, column, line, column + 1))
    span = Span(exc.lineno, exc.colno, exc.lineno, exc.colno + 1)
    return ParseFailure("P001", f"JSON syntax error: {exc.msg}", span)


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_ESCAPE = re.compile(r"\\(?:u([dD][89a-fA-F][0-9a-fA-F]{2})|u[0-9a-fA-F]{4}|.)")


def _lone_surrogate(text: str) -> ParseFailure | None:
    """A ``\\uD800``-style escape not part of a surrogate pair: no Unicode text holds it."""
    if not _SURROGATE.search(text):
        return None
    high = None  # a high surrogate escape waiting for its low half
    for match in _ESCAPE.finditer(text):
        code = int(match[1], 16) if match[1] else None
        low = code is not None and code >= 0xDC00
        if high is not None and low and match.start() == high.end():
            high = None
        elif high is not None or low:
            return _surrogate_failure(text, high or match)
        elif code is not None:
            high = match
    return _surrogate_failure(text, high) if high else None


def _surrogate_failure(text: str, escape: re.Match) -> ParseFailure:
    offset = escape.start()
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return ParseFailure(
        "P007",
        f"a JSON string holds a lone surrogate ({escape[0]}), which is not Unicode text: "
        "not linted",
        Span(line, column, line, column + len(escape[0])),
    )


def _json_int(digits: str) -> int | None:
    """A JSON integer; None beyond 64 bits, as the YAML reader makes it (and reports P011)."""
    if len(digits) > 20:  # also keeps int() under Python's 4,300-digit limit
        return None
    value = int(digits)
    return value if MIN_INT <= value <= MAX_INT else None


def _json_float(text: str) -> float | None:
    value = float(text)
    return None if math.isinf(value) else value
