"""The shape of a document kind: which keys each object knows and which types a value takes.

JSON Schema validation cannot see typos here, because the Run:ai document never sets
``additionalProperties: false``; the shape tree lets nimlint report unknown keys itself.
"""

from __future__ import annotations


class Shape:
    """Known properties (None: any key is fine), required keys, item shape, types, docs and
    whether the document marks the value deprecated."""

    __slots__ = ("deprecated", "description", "items", "properties", "required", "types")

    def __init__(self, description: str = ""):
        self.properties: dict[str, Shape] | None = None
        self.required: frozenset[str] = frozenset()
        self.items: Shape | None = None
        self.types: set[str] = set()
        self.description = description
        self.deprecated = False

    def child(self, token: str) -> Shape | None:
        """Shape of the value under key (or list index) ``token``."""
        if self.items is not None and token.isdigit():
            return self.items
        if self.properties is not None:
            return self.properties.get(token)
        return None


def build_shape(schema: dict) -> Shape:
    """Build the shape tree of a generated JSON Schema (resolving $ref, merging allOf)."""
    return _Builder(schema.get("$defs", {})).shape(schema)


class _Builder:
    def __init__(self, defs: dict):
        self.defs = defs
        self.memo: dict[str, Shape] = {}

    def shape(self, node: dict) -> Shape:
        ref = node.get("$ref")
        if ref is not None:
            name = ref.rsplit("/", 1)[-1]
            if name not in self.memo:
                self.memo[name] = Shape()  # placeholder breaks reference cycles
                self.memo[name] = self.shape(self.defs[name])
            return self.memo[name]
        result = Shape(description=node.get("description", ""))
        result.deprecated = node.get("deprecated") is True
        kind = node.get("type")
        if kind is not None:
            result.types.update([kind] if isinstance(kind, str) else kind)
        if isinstance(node.get("required"), list):
            result.required = frozenset(node["required"])
        if "properties" in node:
            result.properties = {k: self.shape(v) for k, v in node["properties"].items()}
        if "items" in node and isinstance(node["items"], dict):
            result.items = self.shape(node["items"])
        for part in node.get("allOf", ()):
            _merge(result, self.shape(part))
        return result


def _merge(into: Shape, other: Shape) -> None:
    if other.properties is not None:
        into.properties = {**(into.properties or {}), **other.properties}
    into.required |= other.required
    into.items = into.items or other.items
    into.types |= other.types
    into.description = into.description or other.description
    into.deprecated = into.deprecated or other.deprecated
