"""Lint an effective request and report each finding in one layer's file (the target).

A finding goes to the target's own field when the target sets it, otherwise to the nearest
parent the target has. Fields the message names (and the field itself) whose values came from
another layer get an origin suffix naming that layer's file and line, so no rule needs to know
about layers. Findings the baseline (the lower layers alone) already has, about values the
target did not touch, are dropped: they belong to the lower layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator

from nimlint.effective.merge import Effective, Layer, Origin
from nimlint.engine.context import MISSING, lookup
from nimlint.findings import Problem, Span
from nimlint.loading.model import Document, escape_token
from nimlint.messages import field_name, show

# (rule id, problem) of a document linted as one kind; Linter.check_document fits.
Check = Callable[[Document], Iterable[tuple[str, Problem]]]
# (rule id, span in the target file, message, pointer in the target document)
Placed = tuple[str, Span, str, str]

_FIELD = re.compile(r"[A-Za-z_][\w-]*(?:\[\d+\]|\.[A-Za-z_][\w-]*)+")
_TOKEN = re.compile(r"\[(\d+)\]|\.?([A-Za-z_][\w-]*)")


def lint_effective(
    check: Check, merged: Effective, target: Layer, known: Collection[tuple] = ()
) -> Iterator[Placed]:
    """Lint ``merged`` with ``check`` and place every finding in ``target``'s file; a finding
    in ``known`` (see ``known_findings``) about values the target does not set is dropped."""
    for rule, problem in check(Document(merged.data, target.document.index, {})):
        mentioned = _mentioned(merged, problem)
        origins = [(p, merged.origin(p)) for p in mentioned]
        if (
            not any(merged.set_by(p, target) for p in mentioned)
            and (rule, problem.pointer, problem.message) in known
        ):
            continue
        span, pointer = _place(merged, target, problem)
        yield rule, span, problem.message + _suffix(merged, target, origins), pointer


def known_findings(check: Check, baseline: Effective) -> frozenset[tuple[str, str, str]]:
    """What the lower layers alone report: (rule, pointer, message) of each finding."""
    found = check(Document(baseline.data, 0, {}))
    return frozenset((rule, problem.pointer, problem.message) for rule, problem in found)


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


def _suffix(merged: Effective, target: Layer, origins: list[tuple[str, Origin | None]]) -> str:
    """`` (base running.yaml:31: spec.compute.cpuMemoryRequest "16Gi"; ...)`` or ``""``."""
    notes = []
    for pointer, origin in origins:
        if origin is None or origin.layer is target or not pointer:
            continue
        value = lookup(merged.data, pointer)
        if value is MISSING:
            continue
        shown = "" if isinstance(value, (dict, list)) else f" {show(value)}"
        role = f"{origin.layer.role} " if origin.layer.role else ""
        where = f"{origin.layer.name}:{origin.layer.line_of(origin.pointer)}"
        notes.append(f"{role}{where}: {field_name(pointer)}{shown}")
    return f" ({'; '.join(notes)})" if notes else ""
