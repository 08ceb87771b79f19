"""Lint an effective request and report each finding in one layer's file (the target).

A finding goes to the target's own field when the target sets it, otherwise to the nearest
parent the target has. Fields the message names (and the field itself) whose values came from
another layer get an origin suffix naming that layer's file and line, so no rule needs to know
about layers. Findings the baseline (the lower layers alone) already has, about values the
target did not touch, are dropped: they belong to the lower layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import Any

from nimlint.effective.merge import Effective, Layer, Origin
from nimlint.engine.context import MISSING, lookup
from nimlint.findings import Placed, Problem, Related, Repair, Span
from nimlint.loading.model import escape_token, unescape_token
from nimlint.messages import field_name, show

# The layers composed again with another target layer (its value and origin).
Rebuild = Callable[[Effective], Effective]

# (rule id, problem) of every check of a request body read as one kind (pipeline.check fits).
Check = Callable[[Any], Iterable[tuple[str, Problem]]]

# A dotted field name. It is tried only at the start of a run of word characters and '-'
# (after digits, '-' or other letters there): a later start in the same run cannot match
# where the first failed, and retrying there made a long word quadratic (1.7 ms for 200 'a').
_FIELD = re.compile(r"(?<![\w-])(?:[^\WA-Za-z_]|-)*([A-Za-z_][\w-]*(?:\[\d+\]|\.[A-Za-z_][\w-]*)+)")
_TOKEN = re.compile(r"\[(\d+)\]|\.?([A-Za-z_][\w-]*)")


class LayeredView:
    """An effective request composed from layers, read as ``kind``, whose findings are placed
    in the ``target`` layer's file (see the module docstring). ``known`` is what the lower
    layers report alone (``known_findings``); ``extra`` are more problems about ``merged``
    (a policy's violations); ``direct`` are findings already placed in the target;
    ``rebuild`` composes the layers again with another target (to try a removal on)."""

    fits = False  # unknown keys are always looked for
    policed = False  # a create request checked against a policy (--format runai lists it)

    def __init__(
        self,
        kind: str,
        merged: Effective,
        target: Layer,
        known: Collection[tuple] = (),
        extra: Iterable[tuple[str, Problem]] = (),
        direct: Iterable[Placed] = (),
        rebuild: Rebuild | None = None,
    ):
        self.kind, self.merged, self.target, self.known = kind, merged, target, known
        self.rebuild = rebuild
        self._extra, self._direct = extra, direct

    @property
    def data(self) -> Any:
        return self.merged.data

    def extra(self) -> Iterable[tuple[str, Problem]]:
        return self._extra

    def direct(self) -> Iterable[Placed]:
        return self._direct

    def place(self, rule: str, problem: Problem) -> Placed | None:
        """``problem`` placed in the target's file; None for a finding the lower layers
        already have about values the target does not set."""
        merged, target = self.merged, self.target
        mentioned = _mentioned(merged, problem)
        if (
            not any(merged.set_by(p, target) for p in mentioned)
            and (rule, problem.pointer, problem.message) in self.known
        ):
            return None
        span, pointer = _place(merged, target, problem)
        named = _renamer(merged, mentioned)
        related = [
            r._replace(note=named(r.note))
            for r in _related(merged, target, [(p, merged.origin(p)) for p in mentioned])
        ]
        suffix = f" ({'; '.join(r.note for r in related)})" if related else ""
        return Placed(
            rule,
            span,
            named(problem.message) + suffix,
            pointer,
            self._repair(problem.repair, named),
            target.document.index,
            problem.compliance,
            tuple(related),
        )

    def _repair(self, repair: Repair | None, named: Callable[[str], str]) -> Repair | None:
        """``repair`` as made in the target's text, where the target wrote the value (a merged
        list may hold the target's item at another index); None when it cannot be made there,
        or when a removal would uncover a lower layer's value (a base's, a policy's default or
        attribute) instead of removing the field from the result."""
        merged, target = self.merged, self.target
        if repair is None or not merged.set_by(repair.pointer, target):
            return None
        origin = merged.origin(repair.pointer)
        if origin is None or origin.layer is not target:
            return None
        if repair.op == "remove" and not self._removes(repair.pointer, origin.pointer):
            return None
        return repair._replace(pointer=origin.pointer, message=named(repair.message))

    def _removes(self, pointer: str, written: str) -> bool:
        """Does removing the target's value at ``written`` remove ``pointer`` from the result
        (or its list item, leaving the list one shorter)?"""
        if self.rebuild is None:
            return False
        item = _list_item(self.merged.data, pointer)
        if item and self.merged.set_by(item, self.target):
            return True  # an item no lower layer is merged into: removing in it removes it
        sent = _without(self.target.document.data, written)
        after = self.rebuild(Effective(sent, Origin(self.target, ""))).data
        head = pointer.rpartition("/")[0]
        items = lookup(self.merged.data, head)
        if isinstance(items, list):
            left = lookup(after, head)
            return isinstance(left, list) and len(left) == len(items) - 1
        return lookup(after, pointer) is MISSING


def _list_item(data: Any, pointer: str) -> str:
    """The pointer of the innermost list item ``pointer`` is, or is in ("" if none)."""
    item, path = "", ""
    for token in pointer.split("/")[1:]:
        if isinstance(data, list):
            item = f"{path}/{token}"
            data = data[int(token)] if token.isdigit() and int(token) < len(data) else None
        else:
            data = data.get(unescape_token(token)) if isinstance(data, dict) else None
        path = f"{path}/{token}"
    return item


def _without(data: Any, pointer: str) -> Any:
    """A copy of ``data`` without the mapping member or list item at ``pointer``."""
    head, _, token = pointer.partition("/")[2].partition("/")
    key = unescape_token(head)
    if isinstance(data, list) and key.isdigit() and int(key) < len(data):
        index = int(key)
        if not token:
            return data[:index] + data[index + 1 :]
        return [*data[:index], _without(data[index], "/" + token), *data[index + 1 :]]
    if isinstance(data, dict) and key in data:
        if not token:
            return {k: v for k, v in data.items() if k != key}
        return {**data, key: _without(data[key], "/" + token)}
    return data


def known_findings(check: Check, baseline: Effective) -> frozenset[tuple[str, str, str]]:
    """What the lower layers alone report: (rule, pointer, message) of each finding."""
    return frozenset(
        (rule, problem.pointer, problem.message) for rule, problem in check(baseline.data)
    )


def _place(merged: Effective, target: Layer, problem: Problem) -> tuple[Span, str]:
    """The span and pointer in ``target`` of the problem's field, or of its nearest parent."""
    pointer, at = problem.pointer, problem.at
    while True:
        origin = merged.origin(pointer)
        if origin is not None and origin.layer is target:
            return target.document.span(origin.pointer, at), origin.pointer
        if not pointer:
            return Span(1, 1, 1, 1), ""
        pointer, at = pointer.rsplit("/", 1)[0], "key"


def _renamer(merged: Effective, mentioned: list[str]) -> Callable[[str], str]:
    """A function that renames, in a text, every list item of ``mentioned`` that sits elsewhere
    in the file it came from as that file has it: merging lists by key moves items
    (``spec.tolerations[1]`` of the result may be ``spec.tolerations[0]`` of the request, or a
    policy's ``defaults.tolerations.instances[0]``)."""
    names = {}
    for pointer in mentioned:
        tokens = pointer.split("/")
        for end in range(2, len(tokens) + 1):
            item = "/".join(tokens[:end])
            if not tokens[end - 1].isdigit():
                continue
            if not isinstance(lookup(merged.data, item[: item.rfind("/")]), list):
                continue
            origin = merged.origin(item)
            if origin is not None and origin.pointer != item:
                names[field_name(item)] = field_name(origin.pointer)
    if not names:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda match: names[match.group(0)], text)


def _mentioned(merged: Effective, problem: Problem) -> list[str]:
    """The problem's pointer, then every field its message names that the result has: a
    dotted name is read from the root, else below the nearest of the pointer's parents."""
    pointers = [problem.pointer]
    parents = _parents(problem.pointer)
    for name in _FIELD.findall(problem.message):
        path = "".join(f"/{escape_token(key or index)}" for index, key in _TOKEN.findall(name))
        for parent in parents:
            pointer = parent + path
            if lookup(merged.data, pointer) is not MISSING:
                if pointer not in pointers:
                    pointers.append(pointer)
                break
    return pointers


def _parents(pointer: str) -> list[str]:
    """``""`` (the root), then ``pointer``'s parents from the nearest up."""
    tokens = pointer.split("/")[1:] if pointer else []
    return ["", *("/" + "/".join(tokens[:n]) for n in range(len(tokens) - 1, 0, -1))]


def _related(
    merged: Effective, target: Layer, origins: list[tuple[str, Origin | None]]
) -> list[Related]:
    """Where the fields a finding names got their values, when not from the target:
    ``base running.yaml:31: spec.compute.cpuMemoryRequest "16Gi"`` each."""
    related = []
    for pointer, origin in origins:
        if origin is None or origin.layer is target or not pointer:
            continue
        value = lookup(merged.data, pointer)
        if value is MISSING:
            continue
        shown = "" if isinstance(value, (dict, list)) else f" {show(value)}"
        role = f"{origin.layer.role} " if origin.layer.role else ""
        line = origin.layer.line_of(origin.pointer)
        note = f"{role}{origin.layer.name}:{line}: {field_name(pointer)}{shown}"
        related.append(Related(origin.layer.name, line, note))
    return related
