"""A policy applied to one linted document: its effective form, and placing findings.

Findings about the effective request are placed back in the request file: a value the
request holds keeps its own position; a value that came from the policy points at the
nearest place in the request and names the policy file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nimlint.findings import Problem
from nimlint.loading.model import Document
from nimlint.policy.apply import Effective, effective_spec
from nimlint.policy.check import violations
from nimlint.policy.merge import MergedPolicy, Origin

SPEC = "/spec"


@dataclass
class PolicedDocument:
    """A create request document under a policy."""

    document: Document
    effective: Effective
    policy: MergedPolicy

    @property
    def data(self) -> dict:
        """The effective request: the document with the effective spec."""
        return {**self.document.data, "spec": self.effective.spec}

    def compliance(self) -> Iterator[tuple[str, Problem]]:
        """(rule id, problem) for every policy violation, placed in the request."""
        spec = self.document.data.get("spec")
        for issue in violations(spec, self.effective, self.policy):
            placed = Problem(SPEC + issue.pointer, issue.message())
            placed = placed if issue.in_request else self.place(placed)
            compliance = (issue.field, issue.details, issue.kind)
            yield issue.rule_id, placed._replace(compliance=compliance)

    def place(self, problem: Problem) -> Problem:
        """``problem`` (about the effective request) moved to the request file; a fix is
        kept only where the request holds the value at the same place."""
        if not problem.pointer.startswith(SPEC + "/"):
            return problem
        pointer, origin = self._source(problem.pointer[len(SPEC) :])
        if origin is None:
            same = pointer == problem.pointer
            return problem._replace(pointer=pointer, repair=problem.repair if same else None)
        nearest = self._nearest(pointer)
        message = f"{problem.message} [value from the policy, {origin}]"
        at = "key" if nearest else "value"
        return problem._replace(pointer=nearest, message=message, at=at, repair=None)

    def _source(self, pointer: str) -> tuple[str, str | None]:
        """(request pointer, None) or (request pointer of the nearest parent, policy place)."""
        sources, suffix = self.effective.sources, ""
        while pointer not in sources:
            pointer, _, token = pointer.rpartition("/")
            suffix = f"/{token}{suffix}"
        source = sources[pointer]
        if isinstance(source, Origin):
            parent, _ = self._source(pointer.rpartition("/")[0]) if pointer else (SPEC, None)
            return parent, f"{source.policy.file}:{source.policy.line(source.pointer + suffix)}"
        return source + suffix, None

    def _nearest(self, pointer: str) -> str:
        positions = self.document.positions
        while pointer and pointer not in positions:
            pointer = pointer.rpartition("/")[0]
        return pointer


def police(document: Document, policy: MergedPolicy) -> PolicedDocument:
    """``document`` (a create request) under ``policy``."""
    data: Any = document.data
    return PolicedDocument(document, effective_spec(data.get("spec"), policy), policy)
