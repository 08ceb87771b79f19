"""The library of fix functions that declarative rules name in ``check.fix``.

Each takes (problem, node, pointer) — the Problem the check function yielded, and the
node matched by ``where`` with its pointer — and returns a Repair, or None when this
finding has no obvious repair.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from nimlint.findings import Problem, Repair
from nimlint.messages import field_name

RepairFunction = Callable[[Problem, Any, str], "Repair | None"]


def remove(problem: Problem, node: Any, pointer: str) -> Repair:
    """Remove the reported field."""
    return Repair("remove", problem.pointer, f"remove {field_name(problem.pointer)}")


def drop_exact_duplicate(problem: Problem, node: Any, pointer: str) -> Repair | None:
    """Remove a list item that is identical to an earlier item of the same list."""
    index = problem.pointer[len(pointer) + 1 :].split("/")[0]
    if not isinstance(node, list) or not index.isdigit() or int(index) >= len(node):
        return None
    first = _first_indexes(node)
    if first.get(same_data(node[int(index)]), int(index)) >= int(index):
        return None
    item_pointer = f"{pointer}/{index}"
    return Repair("remove", item_pointer, f"remove the duplicate {field_name(item_pointer)}")


_last: tuple[list | None, dict[str, int]] = (None, {})  # the last list asked about, indexed


def _first_indexes(items: list) -> dict[str, int]:
    """Where each item of ``items`` first appears (as its same_data text): made once for the
    list whose duplicates are being repaired, so n duplicates cost n texts, not n*n/2."""
    global _last
    cached = _last  # one read: another thread may replace it
    if cached[0] is items:
        return cached[1]
    first: dict[str, int] = {}
    for at, item in enumerate(items):
        first.setdefault(same_data(item), at)
    _last = (items, first)
    return first


def same_data(value: Any) -> str:
    """A text equal for two values exactly when they are the same JSON data."""
    return json.dumps(value, sort_keys=True, default=str)


REPAIRS: dict[str, RepairFunction] = {
    "remove": remove,
    "drop-exact-duplicate": drop_exact_duplicate,
}
