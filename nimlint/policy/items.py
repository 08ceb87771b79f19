"""How a request's items meet a policy's default items, in one place for merging and checks.

A default item pairs with the first request item of the same key; a request item with no key
(``Toleration.name`` is optional) pairs with nothing: it is an addition, never a replacement.
The effective list is the kept pairs in order: default items first, then the additions.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from nimlint.policy.decisions import ITEM_KEY

ITEMIZED = ("annotations", "labels", "environmentVariables", "imagePullSecrets", "tolerations")


class Pair(NamedTuple):
    """A default item and the request item that meets it (either may be None: index)."""

    default: int | None
    request: int | None
    excluded: bool  # the request item says ``exclude: true``: neither reaches the result


def key(item: Any) -> str | None:
    """The key that matches items, or None (an unnamed item matches nothing)."""
    value = item.get(ITEM_KEY) if isinstance(item, dict) else None
    return value if isinstance(value, str) and value else None


def pairs(defaults: list, request: list) -> list[Pair]:
    """Every default item (with its request item, if any), then every unpaired request item."""
    free: dict[str, list[int]] = {}
    for index, item in enumerate(request):
        if key(item) is not None:
            free.setdefault(key(item), []).append(index)
    out, used = [], set()
    for index, item in enumerate(defaults):
        waiting = free.get(key(item)) if key(item) is not None else None
        mine = waiting.pop(0) if waiting else None
        if mine is not None:
            used.add(mine)
        out.append(Pair(index, mine, mine is not None and _excluded(request[mine])))
    out += [
        Pair(None, index, _excluded(item))
        for index, item in enumerate(request)
        if index not in used
    ]
    return out


def kept(found: list[Pair]) -> list[Pair]:
    """The pairs that reach the effective list, in its order."""
    return [pair for pair in found if not pair.excluded]


def _excluded(item: Any) -> bool:
    return isinstance(item, dict) and item.get("exclude") is True
