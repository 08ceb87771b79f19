"""Which request body a document is: create, update, or a GET response."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from nimlint.schema.shape import Shape

KINDS = ("create", "update", "response")  # the order breaks ties: create first
# The top-level keys of every NIM service body; a document with none of them is something else.
NIM_KEYS = frozenset({"metadata", "spec", "fieldsToRemove", "desiredPhase"})
# The v1 workload envelope put these at the top level; the v2 bodies put them under metadata.
ENVELOPE_KEYS = ("name", "projectId", "clusterId")


def is_nim_body(data: Any) -> bool:
    """Does ``data`` have at least one top-level key of a NIM service body?"""
    return isinstance(data, dict) and not NIM_KEYS.isdisjoint(data)


def envelope_keys(data: Any) -> list[str]:
    """The v1 envelope keys at the top level of a document that has no ``metadata``."""
    if not isinstance(data, dict) or "metadata" in data:
        return []
    return [key for key in ENVELOPE_KEYS if key in data]


def detect_kind(data: Any, shape_of: Callable[[str], Shape] | None = None) -> str:
    """The kind whose shape ``data`` fits best: the fewest structural misfits, ties to create.

    A misfit is a missing required key, or an unknown key (counted with every key inside its
    value, so a whole unknown ``metadata`` weighs more than one stray key in it).
    ``shape_of`` gives a kind's shape (default: the shipped schemas').
    """
    if not isinstance(data, dict):
        return "create"
    if shape_of is None:
        from nimlint.schema.schemaset import shipped

        shape_of = _shipped_shapes(shipped)
    best, fewest = KINDS[0], None
    for kind in KINDS:
        count = misfits(data, shape_of(kind))
        if fewest is None or count < fewest:
            best, fewest = kind, count
        if fewest == 0:
            break  # nothing fits better, and ties go to the earlier kind: later shapes unbuilt
    return best


@cache
def _shipped_shapes(shipped) -> Callable[[str], Shape]:
    return shipped().shape


def misfits(data: Any, shape: Shape) -> int:
    """How many keys of ``data`` are missing from or unknown to ``shape``, at any depth."""
    count = 0
    stack = [(data, shape)]
    while stack:
        value, node = stack.pop()
        if isinstance(value, dict):
            count += len(node.required.difference(value))
            if node.properties is None:
                continue
            for key, child in value.items():
                sub = node.properties.get(key)
                if sub is None:
                    count += 1 + _keys_inside(child)
                else:
                    stack.append((child, sub))
        elif isinstance(value, list) and node.items is not None:
            stack.extend((item, node.items) for item in value)
    return count


def _keys_inside(value: Any) -> int:
    count = 0
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            count += len(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return count
