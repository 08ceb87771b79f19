"""From bytes to documents: encoding, size limit, YAML or JSON."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator

from nimlint.findings import Span
from nimlint.loading.model import Document, ParseFailure
from nimlint.loading.yaml_stream import iter_documents

MAX_FILE_BYTES = 32 * 1024 * 1024

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
            f"file not linted: {len(raw):,} bytes is over the {MAX_FILE_BYTES:,}-byte limit",
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


def documents(text: str, *, is_json: bool) -> Iterator[Document | ParseFailure]:
    """Yield the documents of ``text``: a YAML stream, or a single JSON value."""
    if not is_json:
        yield from iter_documents(text)
        return
    try:
        value = json.loads(text, parse_constant=lambda _: None)
    except json.JSONDecodeError as exc:
        span = Span(exc.lineno, exc.colno, exc.lineno, exc.colno + 1)
        yield ParseFailure("P001", f"JSON syntax error: {exc.msg}", span)
        return
    except RecursionError:
        yield ParseFailure("P006", "JSON nested too deeply: not linted", Span(1, 1, 1, 1))
        return
    positioned = list(iter_documents(text, json_mode=True))
    if len(positioned) == 1:
        yield positioned[0]
    else:  # valid JSON that libyaml cannot read: lint it without positions
        yield Document(data=value, index=0, positions={})
