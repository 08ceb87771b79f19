"""Fold the policies of several scopes into the one that applies (the effective policy).

Defaults: the nearest scope wins, field by field. Rules: a field holds rules in one policy
only; two policies that rule one field are refused, as the server refuses to save the second
(``decisions``). Every default and rule keeps its origin, for messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from nimlint.messages import clip
from nimlint.policy.decisions import (
    ONE_POLICY_RULES_A_FIELD,
    SAME_SCOPE_TWICE_IS_AN_ERROR,
    SCOPES,
)
from nimlint.policy.load import Policy, PolicyError, rule_types


class RuleOrigin(NamedTuple):
    """Where a rule comes from: a policy and a pointer inside its body."""

    policy: Policy
    pointer: str

    def where(self) -> str:
        return self.policy.where(self.pointer)

    def describe(self) -> str:
        """``policy NAME (SCOPE scope), FILE:LINE``; the rule's sourceOfRule scope if any."""
        source = self.policy.body
        for token in self.pointer.split("/")[1:]:
            source = source.get(token) if isinstance(source, dict) else None
        scope = self.policy.scope
        if isinstance(source, dict) and isinstance(source.get("sourceOfRule"), dict):
            scope = source["sourceOfRule"].get("scope") or scope
        return f"policy {clip(self.policy.name)} ({clip(str(scope), 60)} scope), {self.where()}"


class Rule(NamedTuple):
    """The rule object on one field (dotted path relative to spec), its type and origin."""

    path: str
    kind: str  # StringRules, IntegerRules, QuantityRules, ... InstancesRules
    keys: dict
    origin: RuleOrigin


class MergedPolicy:
    """The effective policy: its defaults as a layer under the request, rules by field."""

    def __init__(self, policies: tuple[Policy, ...]):
        self.policies = policies
        self.defaults: dict = {}  # merged, as policies write them
        self.layered: Any = None  # the defaults at /spec, itemized lists as lists (an Effective)
        self.attributes: dict = {}  # itemized field -> attributes (Effective)
        self.layers: dict = {}  # policy file -> its Layer
        self.rules: dict[str, Rule] = {}


def merge(policies: Sequence[Policy]) -> MergedPolicy:
    """Merge policies of different scopes; raise PolicyError with every conflict: two
    policies of the same scope, or two policies that rule one field."""
    ordered = sorted(policies, key=lambda p: SCOPES.index(p.scope))
    problems = []
    if SAME_SCOPE_TWICE_IS_AN_ERROR:
        seen: dict[str, Policy] = {}
        for policy in ordered:
            if policy.scope in seen:
                problems.append(
                    f"{policy.file}: two {policy.scope} policies ({seen[policy.scope].file} "
                    "and this one): a workload is under one policy per scope"
                )
            seen[policy.scope] = policy
    merged = MergedPolicy(tuple(ordered))
    for path, kind in rule_types().items():
        holders = [p for p in ordered if _rules_something(_at(p.rules, path))]
        if not holders:
            continue
        pointer = "/rules/" + path.replace(".", "/")
        if ONE_POLICY_RULES_A_FIELD:
            first = holders[0]
            problems += [
                f"{other.where(pointer)}: rules.{path}: already ruled by the {first.scope} "
                f"policy {first.name} ({first.where(pointer)}); Run:ai refuses a second "
                "policy that rules a field"
                for other in holders[1:]
            ]
        policy = holders[-1]
        merged.rules[path] = Rule(path, kind, _at(policy.rules, path), RuleOrigin(policy, pointer))
    if problems:
        raise PolicyError(problems)
    _layer_defaults(merged)
    return merged


def _rules_something(node: Any) -> bool:
    """Does a rule object say anything (``{}``, nulls and ``sourceOfRule`` alone do not)?"""
    return isinstance(node, dict) and any(
        value is not None for key, value in node.items() if key != "sourceOfRule"
    )


def _layer_defaults(merged: MergedPolicy) -> None:
    """Fold the defaults of every scope, nearest over widest, with the shared merge."""
    from nimlint.effective.merge import Effective, Layer, merge
    from nimlint.policy.apply import as_lists

    folded = Effective({}, None)
    for policy in merged.policies:  # widest first: nearer scopes win
        layer = merged.layers[policy.file] = Layer(policy.file, policy.document, "policy default")
        folded = merge(folded, Effective.of(layer, policy.base + "/defaults", "/spec"))
    spec = folded.data.get("spec")
    merged.defaults = spec if isinstance(spec, dict) else {}
    merged.layered, merged.attributes = as_lists(folded)


def _at(node: Any, path: str) -> Any:
    for token in path.split("."):
        node = node.get(token) if isinstance(node, dict) else None
    return node
