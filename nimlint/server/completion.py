"""Completion in YAML block style: the keys the schema allows where the cursor is (minus the
ones present), and for a value the schema's enum values or true/false.

The line being typed rarely parses, so it is replaced by a marker key (or by its key with an
empty value) and the buffer is parsed again: the marker's pointer says where the cursor is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lsprotocol import types

import nimlint.server.cursor as cursor
from nimlint.escaping import printable
from nimlint.loading.model import value_at
from nimlint.server.cursor import cut
from nimlint.server.text import Lines

_MARKER = "nimlintCompletionMarker"
_KEY = re.compile(r"^([ \t]*(?:-[ \t]+)*)([A-Za-z0-9_.-]*)$")
_VALUE = re.compile(r"^([ \t]*(?:-[ \t]+)*)([A-Za-z0-9_.-]+):[ \t]+([^\s#]*)$")

# (documents, index of the document) -> (kind, JSON Schema of that kind)
SchemaOf = Callable[[list, int], "tuple[str, dict] | None"]


def complete(text: str, position: types.Position, schema_of: SchemaOf) -> list:
    lines = Lines(text)
    line_text = lines.line_text(position.line)
    at = lines.offset(position) - lines.starts[position.line]
    before = line_text[:at]
    start = lines.starts[position.line]
    value = _VALUE.match(before)
    if value:
        edited = _replace_line(text, lines, position.line, f"{value[1]}{value[2]}:")
        found = _find(edited, position.line + 1, lambda p: cursor.tokens(p)[-1:] == [value[2]])
        if found is None:
            return []
        word = lines.range(start + at - len(value[3]), start + at)
        return _values(found, word, schema_of)
    key = _KEY.match(before)
    if key is None:
        return []
    edited = _replace_line(text, lines, position.line, f"{key[1]}{_MARKER}:")
    found = _find(edited, position.line + 1, lambda p: p.endswith("/" + _MARKER))
    if found is None:
        return []
    word = lines.range(start + at - len(key[2]), start + at)
    return _keys(found, word, schema_of)


def _replace_line(text: str, lines: Lines, line: int, content: str) -> str:
    return text[: lines.starts[line]] + content + text[lines.line_end(line) :]


def _find(text: str, line: int, wanted) -> tuple | None:
    """(documents, document index, pointer) of the key on 1-based ``line`` that is ``wanted``."""
    docs = cursor.parse(text, is_json=False)
    for index, doc in enumerate(docs):
        for pointer, (key_spot, _) in doc.positions.items():
            if key_spot is not None and key_spot[0] == line and wanted(pointer):
                return docs, index, pointer
    return None


def _keys(found: tuple, word: types.Range, schema_of: SchemaOf) -> list:
    docs, index, pointer = found
    fit = schema_of(docs, index)
    if fit is None:
        return []
    kind, schema = fit
    parent = pointer.rsplit("/", 1)[0]
    node = cursor.schema_node(schema, parent)
    present = value_at(docs[index].data, parent)
    present = set(present) if isinstance(present, dict) else set()
    items = []
    for name, child in ((node or {}).get("properties") or {}).items():
        if name in present or not isinstance(child, dict):
            continue
        child = cursor.resolve(child, schema.get("$defs", {}))
        types_ = " | ".join(cursor.type_names(child)) or "any"
        items.append(
            types.CompletionItem(
                label=printable(name),
                kind=types.CompletionItemKind.Property,
                detail=f"{types_} ({kind})",
                documentation=_doc(child),
                text_edit=types.TextEdit(word, f"{name}: "),
            )
        )
    return items


def _values(found: tuple, word: types.Range, schema_of: SchemaOf) -> list:
    docs, index, pointer = found
    fit = schema_of(docs, index)
    if fit is None:
        return []
    node = cursor.schema_node(fit[1], pointer) or {}
    values = [v for v in node.get("enum", []) if isinstance(v, str | int | float | bool)]
    if "boolean" in cursor.type_names(node):
        values += [v for v in (True, False) if v not in values]
    items = []
    for value in values[:200]:
        shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
        items.append(
            types.CompletionItem(
                label=printable(shown),
                kind=types.CompletionItemKind.EnumMember
                if "enum" in node
                else types.CompletionItemKind.Value,
                text_edit=types.TextEdit(word, shown),
            )
        )
    return items


def _doc(node: dict) -> types.MarkupContent | None:
    description = node.get("description")
    if not isinstance(description, str) or not description.strip():
        return None
    return types.MarkupContent(types.MarkupKind.Markdown, cut(description.strip()))
