"""Check every rule of a merged policy on a request and its effective request.

A Violation names the rule kind (PolicyRuleEnum), the field (dotted, relative to spec, as
the server reports it), the server-style ``details``, and where in the effective request
the offending value is.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any, NamedTuple

from nimlint.engine.context import MISSING, lookup
from nimlint.messages import field_name, show
from nimlint.policy.decisions import (
    CAN_EDIT_DEFAULT,
    CAN_EDIT_WITHOUT_DEFAULT_REPORTS_ANY_VALUE,
    DETAILS,
    EMPTY_ARRAY_IS_MISSING,
    ITEM_DETAILS,
    ITEM_KEY,
    STEP_ORIGIN_WITHOUT_MIN,
)
from nimlint.policy.merge import MergedPolicy, Rule

# One nimlint rule per PolicyRuleEnum kind (`blocked` is in the enum, not in 2.24's rules).
RULE_IDS = {
    "required": "C001",
    "canEdit": "C002",
    "canAdd": "C003",
    "locked": "C004",
    "options": "C005",
    "min": "C006",
    "max": "C007",
    "step": "C008",
}


class Violation(NamedTuple):
    """One compliance issue, at an effective-request pointer relative to the spec."""

    kind: str
    field: str
    details: str
    pointer: str
    value: Any
    rule: Rule
    in_request: bool = False  # ``pointer`` is a request pointer (items the request lists)

    @property
    def rule_id(self) -> str:
        return RULE_IDS[self.kind]

    @property
    def compliance(self) -> tuple[str, str, str]:
        """(field, details, rule) as the server's complianceIssues carry them."""
        return (self.field, self.details, self.kind)

    def message(self) -> str:
        name = field_name("/spec" + self.pointer)
        if self.in_request:
            value = f"(item {show(self.value)})"
        else:
            value = "is not set" if _missing(self.value) else f"is {show(self.value)}"
        return f"{name} {value}: {self.details} ({self.rule.origin.describe()})"


def violations(request: Any, effective: dict, policy: MergedPolicy) -> Iterator[Violation]:
    """Every violation of ``policy`` by a create request's spec and its effective spec."""
    request = request if isinstance(request, dict) else {}
    for rule in policy.rules.values():
        if rule.kind == "InstancesRules":
            yield from _instances(rule, request, policy.defaults)
        elif ".attributes." in rule.path:
            yield from _attributes(rule, effective)
        else:
            pointer = "/" + rule.path.replace(".", "/")
            yield from _scalar(
                rule,
                rule.path,
                pointer,
                lookup(effective, pointer),
                lookup(request, pointer),
                lookup(policy.defaults, pointer),
            )


def _scalar(rule: Rule, name: str, pointer: str, value, requested, default, item: str = ""):
    keys = rule.keys

    def issue(kind: str, details: str, at: str = pointer, shown=value) -> Violation:
        return Violation(kind, name, item + details, at, shown, rule)

    if keys.get("required") is True and _missing(value):
        yield issue("required", DETAILS["required"])
    if keys.get("canEdit", CAN_EDIT_DEFAULT) is False and requested not in (MISSING, None):
        unset = default in (MISSING, None)
        if (unset and CAN_EDIT_WITHOUT_DEFAULT_REPORTS_ANY_VALUE) or (
            not unset and not _same(requested, default, rule.kind)
        ):
            yield issue("canEdit", DETAILS["canEdit"], shown=requested)
    if value in (MISSING, None):
        return
    options = keys.get("options")
    if isinstance(options, list):
        allowed = [o.get("value") for o in options if isinstance(o, dict)]
        text = ", ".join(show(a) for a in allowed)
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, entry in items:
            if entry not in allowed:
                at = pointer if index is None else f"{pointer}/{index}"
                yield issue("options", DETAILS["options"].format(allowed=text), at, entry)
    yield from _bounds(rule, value, issue)


def _bounds(rule: Rule, value, issue) -> Iterator[Violation]:
    exact = _exact(value, rule.kind)
    if exact is None:
        return  # a value of the wrong type is the schema layer's to report
    low, high = _exact(rule.keys.get("min"), rule.kind), _exact(rule.keys.get("max"), rule.kind)
    if low is not None and exact < low:
        yield issue("min", DETAILS["min"].format(limit=rule.keys["min"]))
    if high is not None and exact > high:
        yield issue("max", DETAILS["max"].format(limit=rule.keys["max"]))
    step = _exact(rule.keys.get("step"), rule.kind)
    if step and rule.kind != "QuantityRules":
        origin = low if low is not None else Fraction(STEP_ORIGIN_WITHOUT_MIN)
        if (exact - origin) % step:
            shown = rule.keys.get("min", STEP_ORIGIN_WITHOUT_MIN)
            yield issue("step", DETAILS["step"].format(origin=shown, step=rule.keys["step"]))


def _exact(value: Any, kind: str) -> Fraction | None:
    """A number or quantity as an exact fraction; None when it is neither."""
    if kind == "QuantityRules":
        from nimlint.k8s.quantity import QuantityError, parse_quantity

        try:
            return parse_quantity(value).value
        except QuantityError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def _same(requested: Any, default: Any, kind: str) -> bool:
    if kind == "QuantityRules":
        left, right = _exact(requested, kind), _exact(default, kind)
        if left is not None and right is not None:
            return left == right
    return requested == default


def _missing(value: Any) -> bool:
    if value is MISSING or value is None:
        return True
    return EMPTY_ARRAY_IS_MISSING and isinstance(value, list) and not value


def _instances(rule: Rule, request: dict, merged_defaults: dict) -> Iterator[Violation]:
    """canAdd and locked on an itemized field."""
    name = rule.path.split(".")[0]
    defaults = _default_keys(merged_defaults, name)
    items = request.get(name)
    items = items if isinstance(items, list) else []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        key = item.get(ITEM_KEY)
        pointer = f"/{name}/{index}"
        added = key not in defaults and item.get("exclude") is not True
        if rule.keys.get("canAdd", True) is False and added:
            yield Violation("canAdd", name, DETAILS["canAdd"], pointer, key, rule, True)
        locked = rule.keys.get("locked") or []
        if key in locked and key in defaults and _modifies(item, defaults[key]):
            details = DETAILS["locked"].format(item=key)
            yield Violation("locked", name, details, pointer, key, rule, True)


def _default_keys(merged_defaults: dict, name: str) -> dict:
    instances = lookup(merged_defaults, f"/{name}/instances")
    if not isinstance(instances, list):
        return {}
    return {i.get(ITEM_KEY): i for i in instances if isinstance(i, dict)}


def _modifies(item: dict, default: dict) -> bool:
    if item.get("exclude") is True:
        return True
    return any(k != "exclude" and default.get(k) != v for k, v in item.items())


def _attributes(rule: Rule, effective: dict) -> Iterator[Violation]:
    """An attribute rule (tolerations, imagePullSecrets) on every item of the field."""
    name, _, attribute = rule.path.split(".")
    items = effective.get(name)
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            label = ITEM_DETAILS.format(item=item.get(ITEM_KEY), attribute=attribute)
            pointer = f"/{name}/{index}/{attribute}"
            value = item.get(attribute, MISSING)
            yield from _scalar(rule, name, pointer, value, MISSING, MISSING, label)
