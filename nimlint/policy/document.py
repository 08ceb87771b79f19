"""Lint a create request under a policy: compliance and every other rule, on the effective
request, placed back in the request file by the shared effective-request module.

A finding about a value that came from the policy is placed at the nearest place in the
request and names the policy file and line (``nimlint.effective.placement``).
"""

from __future__ import annotations

from collections.abc import Iterator

from nimlint.effective.merge import Effective, Layer
from nimlint.effective.placement import LayeredView
from nimlint.findings import Placed, Problem
from nimlint.loading.model import Document
from nimlint.policy.apply import apply_defaults, overflows
from nimlint.policy.check import violations
from nimlint.policy.merge import MergedPolicy


class PolicyView(LayeredView):
    """Create request ``doc`` (from file ``name``) with ``policy``'s defaults under it: checked
    by every rule, and by the policy's own rules. A violation about an item the request lists
    is placed on that item as written; the others go through the effective request."""

    policed = True

    def __init__(self, doc: Document, name: str, kind: str, policy: MergedPolicy):
        target = Layer(name, doc)
        before = Effective.of(target)
        after = apply_defaults(policy, before)
        found: dict[tuple[str, str], tuple] = {}
        direct = []
        for issue in violations(_spec(before), _spec(after), policy):
            pointer = "/spec" + issue.pointer
            message = issue.message()
            if issue.in_request:
                span = doc.span(pointer)
                direct.append(
                    Placed(issue.rule_id, span, message, pointer, None, doc.index, issue.compliance)
                )
            else:
                found[issue.rule_id, message] = (pointer, issue.compliance)
        extra = [
            *overflows(policy, after),
            *[
                (rule, Problem(pointer, message, compliance=compliance))
                for (rule, message), (pointer, compliance) in found.items()
            ],
        ]
        rebuild = lambda request: apply_defaults(policy, request)  # noqa: E731
        super().__init__(kind, after, target, extra=extra, direct=direct, rebuild=rebuild)


def _spec(effective: Effective) -> dict:
    spec = effective.data.get("spec") if isinstance(effective.data, dict) else None
    return spec if isinstance(spec, dict) else {}


class PolicyLayer:
    """The policy as the PATCH preview's extra layer: ``extend`` applies the defaults to the
    previewed service, ``problems`` are the violations of the service it last extended."""

    def __init__(self, policy: MergedPolicy):
        self.policy = policy
        self.before = self.after = Effective({}, None)

    def extend(self, service: Effective) -> Effective:
        self.before, self.after = service, apply_defaults(self.policy, service)
        return self.after

    def problems(self) -> Iterator[tuple[str, Problem]]:
        """(rule id, problem) of every violation, pointing into the extended service."""
        yield from overflows(self.policy, self.after)
        moves = _Moves(self.before, self.after)
        for issue in violations(_spec(self.before), _spec(self.after), self.policy):
            if issue.in_request:  # name the item where the extended service has it
                moved = moves.moved("/spec" + issue.pointer)
                issue = issue._replace(pointer=moved.removeprefix("/spec"))
            problem = Problem("/spec" + issue.pointer, issue.message(), compliance=issue.compliance)
            yield issue.rule_id, problem


class _Moves:
    """Where list items of ``before`` are in ``after``: each list indexed by origin once,
    not searched once per item (10,000 items must not cost 10,000 searches of the list)."""

    def __init__(self, before: Effective, after: Effective):
        self.before, self.after = before, after
        self.lists: dict[str, dict] = {}

    def moved(self, pointer: str) -> str:
        """Where the list item at ``pointer`` of ``before`` is in ``after`` (else its list)."""
        origin = self.before.origin(pointer)
        head = pointer.rpartition("/")[0]
        if head not in self.lists:
            self.lists[head] = self._origins(head)
        index = self.lists[head].get(origin) if origin is not None else None
        return head if index is None else f"{head}/{index}"

    def _origins(self, head: str) -> dict:
        items = self.after.data
        for token in head.split("/")[1:]:
            items = items.get(token) if isinstance(items, dict) else None
        where: dict = {}
        for index in range(len(items) if isinstance(items, list) else 0):
            where.setdefault(self.after.origin(f"{head}/{index}"), index)
        return where
