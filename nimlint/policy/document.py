"""Lint a create request under a policy: compliance and every other rule, on the effective
request, placed back in the request file by the shared effective-request module.

A finding about a value that came from the policy is placed at the nearest place in the
request and names the policy file and line (``nimlint.effective.placement``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from nimlint.effective.merge import Effective, Layer
from nimlint.effective.placement import lint_effective
from nimlint.findings import Problem
from nimlint.loading.model import Document
from nimlint.policy.apply import apply_defaults
from nimlint.policy.check import violations
from nimlint.policy.merge import MergedPolicy

Check = Callable[[Document], Iterable[tuple[str, Problem]]]


def policed(check: Check, doc: Document, name: str, policy: MergedPolicy) -> Iterator[tuple]:
    """(rule, span, message, pointer, compliance) of create request ``doc`` under ``policy``:
    ``check`` lints a document (schema, unknown keys, rules), then the policy's own rules."""
    target = Layer(name, doc)
    before = Effective.of(target)
    after = apply_defaults(policy, before)
    request, spec = _spec(before), _spec(after)
    found: dict[tuple[str, str], tuple] = {}
    placed = []
    for issue in violations(request, spec, policy):
        pointer = "/spec" + issue.pointer
        if issue.in_request:  # an item the request lists: placed in the request as it is
            span = doc.span(pointer)
            placed.append((issue.rule_id, span, issue.message(), pointer, issue.compliance))
        else:
            found[issue.rule_id, issue.message()] = (pointer, issue.compliance)

    def everything(effective: Document) -> Iterator[tuple[str, Problem]]:
        yield from check(effective)
        for (rule, message), (pointer, _) in found.items():
            yield rule, Problem(pointer, message)

    yield from placed
    for rule, span, message, pointer in lint_effective(everything, after, target):
        yield rule, span, message, pointer, _compliance(found, rule, message)


def _spec(effective: Effective) -> dict:
    spec = effective.data.get("spec") if isinstance(effective.data, dict) else None
    return spec if isinstance(spec, dict) else {}


def _compliance(found: dict, rule: str, message: str) -> tuple:
    """The compliance of a placed policy finding (placement may add a suffix)."""
    for (known, text), (_, value) in found.items():
        if known == rule and (message == text or message.startswith(text + " (")):
            return value
    return ()


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
        for issue in violations(_spec(self.before), _spec(self.after), self.policy):
            if issue.in_request:  # name the item where the extended service has it
                moved = _moved(self.before, self.after, "/spec" + issue.pointer)
                issue = issue._replace(pointer=moved.removeprefix("/spec"))
            problem = Problem("/spec" + issue.pointer, issue.message(), compliance=issue.compliance)
            yield issue.rule_id, problem


def _moved(before: Effective, after: Effective, pointer: str) -> str:
    """Where the list item at ``pointer`` of ``before`` is in ``after`` (else its list)."""
    origin = before.origin(pointer)
    head = pointer.rpartition("/")[0]
    items = after.data
    for token in head.split("/")[1:]:
        items = items.get(token) if isinstance(items, dict) else None
    for index in range(len(items) if isinstance(items, list) else 0):
        if origin is not None and after.origin(f"{head}/{index}") == origin:
            return f"{head}/{index}"
    return head
