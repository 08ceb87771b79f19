"""Merge layers of a request body, remembering where every value came from.

A merged value carries a *trace*: an ``Origin`` when the whole subtree comes from one place
in one layer, or a ``Mixed`` node (the container's own origin, plus a trace per child) where
layers meet. Looking up the origin of a pointer walks the trace, so provenance costs only as
much as the layers overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from nimlint.engine.context import MISSING, lookup
from nimlint.loading.model import Document, escape_token, unescape_token


class Layer(NamedTuple):
    """One input of a merge: a file name as shown in findings, and its loaded document.

    The records here are NamedTuples: a dataclass decorator costs start-up time.
    """

    name: str
    document: Document
    role: str = ""  # how messages call it: "base", "policy default"...

    def line_of(self, pointer: str) -> int:
        """1-based line where this layer's file names ``pointer`` (its key, else its value)."""
        return self.document.span(pointer, "key").line


class Origin(NamedTuple):
    """Where a value came from: a layer and a JSON pointer inside that layer's document."""

    layer: Layer
    pointer: str

    def below(self, tokens: list[str]) -> Origin:
        """The origin of the value ``tokens`` (escaped pointer tokens) further down."""
        return Origin(self.layer, self.pointer + "".join(f"/{t}" for t in tokens))


class Mixed(NamedTuple):
    """A container built from several layers: its own origin (None if no layer has it)."""

    origin: Origin | None
    children: Mapping[str, Trace] = MappingProxyType({})


Trace = Origin | Mixed


class Effective(NamedTuple):
    """A value (plain JSON data, never modified in place) and where each part came from."""

    data: Any
    trace: Trace | None

    @classmethod
    def of(cls, layer: Layer, select: str = "", place: str = "") -> Effective:
        """The value at ``select`` in ``layer``, placed at pointer ``place`` of the result."""
        data, trace = lookup(layer.document.data, select), Origin(layer, select)
        if data is MISSING:
            data, trace = {}, Mixed(None)
        for token in reversed(place.split("/")[1:] if place else []):
            key = unescape_token(token)
            data, trace = {key: data}, Mixed(None, {token: trace})
        return cls(data, trace)

    def origin(self, pointer: str) -> Origin | None:
        """The layer and pointer the value at ``pointer`` came from (None if none)."""
        trace, tokens = self.trace, pointer.split("/")[1:] if pointer else []
        for index, token in enumerate(tokens):
            if isinstance(trace, Origin):
                return trace.below(tokens[index:])
            trace = trace.children.get(token) if isinstance(trace, Mixed) else None
        return trace.origin if isinstance(trace, Mixed) else trace

    def set_by(self, pointer: str, layer: Layer) -> bool:
        """Does the value at ``pointer`` come whole from ``layer`` (not a container mixed from
        several layers)? A missing pointer counts as set by the layer whose value would hold it.
        """
        trace = self.trace
        for token in pointer.split("/")[1:] if pointer else []:
            if not isinstance(trace, Mixed):
                break
            trace = trace.children.get(token)
        return isinstance(trace, Origin) and trace.layer is layer

    def child(self, key: str | int) -> Effective:
        """The member ``key`` of this mapping (or index of this list) with its trace."""
        token = escape_token(str(key))
        value = self.data[key]
        if isinstance(self.trace, Origin):
            return Effective(value, self.trace.below([token]))
        return Effective(value, self.trace.children.get(token) if self.trace else None)

    def own_origin(self) -> Origin | None:
        return self.trace.origin if isinstance(self.trace, Mixed) else self.trace

    def without(self, pointer: str) -> Effective:
        """This value with the member at ``pointer`` removed (unchanged if it is absent)."""
        tokens = pointer.split("/")[1:]
        if not tokens or not isinstance(self.data, dict):
            return self
        key = unescape_token(tokens[0])
        if key not in self.data:
            return self
        members = {k: self.child(k) for k in self.data}
        if len(tokens) == 1:
            del members[key]
        else:
            members[key] = members[key].without("/" + "/".join(tokens[1:]))
        return mapping(members, self.own_origin())


def mapping(members: dict[str, Effective], origin: Origin | None) -> Effective:
    """A mapping assembled from members (each with its own trace)."""
    return Effective(
        {key: member.data for key, member in members.items()},
        Mixed(origin, {escape_token(key): m.trace for key, m in members.items() if m.trace}),
    )


def sequence(items: list[Effective], origin: Origin | None) -> Effective:
    """A list assembled from items (each with its own trace); for list strategies."""
    return Effective(
        [item.data for item in items],
        Mixed(origin, {str(i): item.trace for i, item in enumerate(items) if item.trace}),
    )


Merge = Callable[[Effective, Effective, str], Effective]
# (pointer of the list, lower list, upper list, merge for items) -> the merged list
ListStrategy = Callable[[str, Effective, Effective, Merge], Effective]


def replace_lists(pointer: str, lower: Effective, upper: Effective, merge: Merge) -> Effective:
    """The upper layer's list replaces the lower one (PATCH semantics)."""
    return upper


def merge(
    lower: Effective, upper: Effective, lists: ListStrategy = replace_lists, pointer: str = ""
) -> Effective:
    """``upper`` over ``lower``: mappings merge key by key, recursively; otherwise the upper
    value wins, except that an upper ``null`` keeps the lower value; lists follow ``lists``.
    """
    if upper.data is None:
        return lower
    if isinstance(lower.data, dict) and isinstance(upper.data, dict):
        members = {key: lower.child(key) for key in lower.data}
        for key in upper.data:
            mine = upper.child(key)
            below = f"{pointer}/{escape_token(key)}"
            members[key] = merge(members[key], mine, lists, below) if key in members else mine
        return mapping(members, upper.own_origin() or lower.own_origin())
    if isinstance(lower.data, list) and isinstance(upper.data, list):

        def again(low: Effective, high: Effective, where: str) -> Effective:
            return merge(low, high, lists, where)

        return lists(pointer, lower, upper, again)
    return upper


# The order of a NIM service body's top-level keys in the API's documents and examples.
BODY_ORDER = ("metadata", "desiredPhase", "spec", "fieldsToRemove")


def in_body_order(data: Any) -> Any:
    """``data`` with its top-level keys in a body's order (metadata first), others after:
    merging puts a lower layer's keys first (a policy has only ``spec``)."""
    if not isinstance(data, dict):
        return data
    first = {key: data[key] for key in BODY_ORDER if key in data}
    return {**first, **{key: value for key, value in data.items() if key not in first}}
