"""Which request body a document is: create, update, or a GET response."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from nimlint.messages import clip
from nimlint.schema.shape import Shape

KINDS = ("create", "update", "response")  # the order breaks ties: create first
# The top-level keys of every NIM service body; a document with none of them is something else.
NIM_KEYS = frozenset({"metadata", "spec", "fieldsToRemove", "desiredPhase"})
# The v1 workload envelope put these at the top level; the v2 bodies put them under metadata.
ENVELOPE_KEYS = ("name", "projectId", "clusterId")


# The NIM Operator's custom resources (group apps.nvidia.com): Kubernetes objects that also
# describe NIM services, easily mistaken for Run:ai request bodies.
NIM_OPERATOR_KINDS = frozenset({"NIMService", "NIMCache", "NIMPipeline", "NIMBuild"})


def is_nim_body(data: Any) -> bool:
    """Does ``data`` have at least one top-level key of a NIM service body, and is it not a
    Kubernetes object (which has ``metadata`` and often ``spec`` too)?"""
    return (
        isinstance(data, dict) and not NIM_KEYS.isdisjoint(data) and kubernetes_object(data) is None
    )


def kubernetes_object(data: Any) -> str | None:
    """What ``data`` is, in words, if it is a Kubernetes object (string top-level
    ``apiVersion`` and ``kind``, which no Run:ai request body has); else None."""
    if not isinstance(data, dict):
        return None
    api, kind = data.get("apiVersion"), data.get("kind")
    if not (isinstance(api, str) and isinstance(kind, str) and api and kind):
        return None
    api, kind = clip(api, 80), clip(kind, 80)
    if kind in NIM_OPERATOR_KINDS and api.startswith("apps.nvidia.com/"):
        return f"the NIM Operator's {kind} resource (apiVersion {api})"
    return f"a Kubernetes {kind} (apiVersion {api})"


def not_a_body_message(what: str, index: int) -> str:
    """P012's message for document ``index`` (0-based), a Kubernetes object ``what``."""
    return (
        f"document {index + 1} is {what}, not a Run:ai NIM service request body: nimlint "
        "lints the bodies sent to /api/v2/workloads/nim-services (skipped when walking a folder)"
    )


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
    return best_fit(data, shape_of)[0]


def best_fit(data: Any, shape_of: Callable[[str], Shape] | None = None) -> tuple[str, int]:
    """``detect_kind``'s kind and its misfits (0: no unknown key anywhere, nothing missing)."""
    if not isinstance(data, dict):
        return "create", 0
    data, near_misses = as_meant(data)
    if shape_of is None:
        from nimlint.schema.schemaset import shipped

        shape_of = _shipped_shapes(shipped)
    best, fewest = KINDS[0], misfits(data, shape_of(KINDS[0]))
    for kind in KINDS[1:]:
        if fewest == 0:
            break  # nothing fits better, and ties go to the earlier kind: later shapes unbuilt
        count = misfits(data, shape_of(kind), limit=fewest)
        if count < fewest:
            best, fewest = kind, count
    return best, fewest + near_misses  # a near miss is still an unknown key


def as_meant(data: dict) -> tuple[dict, int]:
    """``data`` with each top-level key that is a near miss of a NIM body key (``metdata``,
    ``Spec``) read as that key, and how many were; ``data`` itself when none is."""
    meant = {}
    for key in data:
        if key not in NIM_KEYS and isinstance(key, str):
            target = near_miss(key)
            if target is not None and target not in data and target not in meant.values():
                meant[key] = target
    if not meant:
        return data, 0
    return {meant.get(key, key): value for key, value in data.items()}, len(meant)


def near_miss(key: str) -> str | None:
    """The NIM body key (of any kind) ``key`` is a misspelling of, if exactly one."""
    import difflib  # only for keys that are not NIM body keys

    folded = key.lower()
    matches = [k for k in NIM_KEYS if k.lower() == folded] or difflib.get_close_matches(
        folded, [k.lower() for k in NIM_KEYS], n=2, cutoff=0.8
    )
    if len(matches) != 1:
        return None
    return next(k for k in NIM_KEYS if k.lower() == matches[0].lower())


@cache
def _shipped_shapes(shipped) -> Callable[[str], Shape]:
    return shipped().shape


def misfits(data: Any, shape: Shape, limit: int | None = None) -> int:
    """How many keys of ``data`` are missing from or unknown to ``shape``, at any depth.

    With a ``limit``, counting may stop once it is reached: the result is then >= ``limit``.
    """
    count = 0
    stack = [(data, shape)] if isinstance(data, (dict, list)) else []
    while stack:
        if limit is not None and count >= limit:
            return count
        value, node = stack.pop()  # a mapping or a list: scalars have nothing to count
        if isinstance(value, dict):
            if node.required:
                count += len(node.required.difference(value))
            known = node.properties
            if known is None:
                continue
            for key, child in value.items():
                sub = known.get(key)
                if sub is None:
                    count += 1 + _keys_inside(child)
                elif isinstance(child, (dict, list)):
                    stack.append((child, sub))
        elif node.items is not None:
            items = node.items
            stack.extend((item, items) for item in value if isinstance(item, (dict, list)))
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
