"""Fields the OpenAPI document marks ``deprecated: true`` that a document sets (S011)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nimlint.findings import Problem
from nimlint.loading.model import escape_token
from nimlint.messages import clip, field_name
from nimlint.schema.shape import Shape

# How a description names the replacement: "use `x` instead", "replaced by x".
_REPLACEMENT = r"(?:[Uu]se|[Rr]eplaced (?:by|with)|[Ss]ee)\s+`?([A-Za-z0-9_.\[\]/-]+)`?"


def deprecated_problems(data: Any, shape: Shape) -> Iterator[tuple[str, Problem]]:
    """S011 on each value set (not null) where the shape is deprecated."""
    if not _any_deprecated(shape):
        return
    stack: list[tuple[Any, Shape, str]] = [(data, shape, "")]
    while stack:
        value, node, pointer = stack.pop()
        if value is None:
            continue  # null is not set
        if node.deprecated and pointer:
            yield "S011", Problem(pointer, _message(pointer, node.description), "key")
        if isinstance(value, dict) and node.properties is not None:
            stack.extend(
                (child, node.properties[key], f"{pointer}/{escape_token(key)}")
                for key, child in value.items()
                if key in node.properties
            )
        elif isinstance(value, list) and node.items is not None:
            stack.extend((item, node.items, f"{pointer}/{i}") for i, item in enumerate(value))


def _message(pointer: str, description: str) -> str:
    found = re.search(_REPLACEMENT, description)
    instead = f": use `{clip(found.group(1), 60)}` instead" if found else ""
    quoted = f' (the document: "{clip(description, 200)}")' if description else ""
    return f"{field_name(pointer)} is deprecated{instead}{quoted}"


_SEEN: dict[int, tuple[Shape, bool]] = {}


def _any_deprecated(root: Shape) -> bool:
    """Does any shape below ``root`` say deprecated? (Once per shape tree: the shipped
    document deprecates nothing, and its documents are then not walked again.)"""
    cached = _SEEN.get(id(root))
    if cached is None or cached[0] is not root:
        found, seen, stack = False, set(), [root]
        while stack and not found:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            found = node.deprecated
            stack.extend((node.properties or {}).values())
            if node.items is not None:
                stack.append(node.items)
        cached = _SEEN[id(root)] = (root, found)
    return cached[1]
