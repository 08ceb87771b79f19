"""What is under the cursor: the document, the JSON pointer and whether it is a key or a
value; and the JSON Schema node a pointer reaches in a kind's schema."""

from __future__ import annotations

from typing import NamedTuple

from nimlint.escaping import printable_lines
from nimlint.loading.model import Document, unescape_token
from nimlint.loading.source import documents


class Spot(NamedTuple):
    """The deepest key or value holding the cursor, in document ``document``."""

    document: Document
    pointer: str
    at: str  # "key" or "value"


def _holds(spot, line: int, column: int) -> bool:
    return spot is not None and (spot[0], spot[1]) <= (line, column) <= (spot[2], spot[3])


def parse(text: str, is_json: bool) -> list[Document]:
    """The documents of a buffer that parse (a stream stops at its first syntax error)."""
    return [d for d in documents(text, is_json=is_json) if isinstance(d, Document)]


def locate(docs: list[Document], line: int, column: int) -> Spot | None:
    """The key or value at 1-based ``line`` and code-point ``column`` (a key wins over the
    mapping that holds it; the deepest value wins)."""
    for doc in docs:
        root = doc.positions.get("")
        if root is None or not _holds(root[1], line, column):
            continue
        best: Spot | None = None
        for pointer, (key_spot, value_spot) in doc.positions.items():
            if _holds(key_spot, line, column):
                return Spot(doc, pointer, "key")
            if _holds(value_spot, line, column) and (
                best is None or pointer.count("/") > best.pointer.count("/")
            ):
                best = Spot(doc, pointer, "value")
        return best
    return None


def tokens(pointer: str) -> list[str]:
    return [unescape_token(t) for t in pointer.split("/")[1:]] if pointer else []


def schema_node(schema: dict, pointer: str) -> dict | None:
    """The schema of the value at ``pointer`` ($ref followed, allOf merged), if it has one."""
    defs = schema.get("$defs", {})
    node: dict | None = resolve(schema, defs)
    for token in tokens(pointer):
        if node is None:
            return None
        if token.isdigit() and isinstance(node.get("items"), dict):
            node = resolve(node["items"], defs)
        else:
            child = (node.get("properties") or {}).get(token)
            node = resolve(child, defs) if isinstance(child, dict) else None
    return node


def resolve(node: dict, defs: dict, depth: int = 0) -> dict:
    """``node`` with its $ref followed and its allOf parts merged (the first description,
    type or default wins; properties add up)."""
    if depth > 32:  # a hostile --openapi document may loop
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = defs.get(ref.rsplit("/", 1)[-1])
        merged = resolve(target, defs, depth + 1) if isinstance(target, dict) else {}
        node = {**merged, **{k: v for k, v in node.items() if k != "$ref"}}
    parts = node.get("allOf")
    if isinstance(parts, list):
        merged = {k: v for k, v in node.items() if k != "allOf"}
        for part in parts:
            if not isinstance(part, dict):
                continue
            part = resolve(part, defs, depth + 1)
            for key, value in part.items():
                if key == "properties":
                    merged["properties"] = {**value, **merged.get("properties", {})}
                else:
                    merged.setdefault(key, value)
        node = merged
    return node


def cut(text: str, limit: int = 4000) -> str:
    """A description from a (maybe hostile) OpenAPI document as Markdown an editor can show:
    at most ``limit`` characters, control characters escaped, and no image or raw HTML (an
    editor rendering ``![](https://...)`` or ``<img src=...>`` would fetch it)."""
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return printable_lines(text.replace("<", "&lt;").replace("![", "!\\["))


def type_names(node: dict) -> list[str]:
    kind = node.get("type", [])
    return [t for t in ([kind] if isinstance(kind, str) else kind) if t != "null"]
