"""Check every rule of a merged policy on a request and its effective request.

A Violation names the rule kind (PolicyRuleEnum), the field (dotted, relative to spec, as
the server reports it), the server-style ``details``, and where in the effective request
the offending value is.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any, NamedTuple

from nimlint.engine.context import MISSING, lookup
from nimlint.messages import clip, field_name, show, show_list
from nimlint.policy.apply import computed
from nimlint.policy.decisions import (
    CAN_EDIT_DEFAULT,
    CAN_EDIT_WITHOUT_DEFAULT_REPORTS_ANY_VALUE,
    DETAILS,
    EMPTY_ARRAY_IS_MISSING,
    ITEM_DETAILS,
    ITEM_FIELD,
    STEP_ORIGIN_WITHOUT_MIN,
)
from nimlint.policy.items import Pair, kept, key, pairs
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
        if self.rule.kind == "InstancesRules":
            value = "(an unnamed item)" if self.value is None else f"(item {show(self.value)})"
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
            yield from _attributes(rule, request, effective, policy.defaults)
        else:
            pointer = "/" + rule.path.replace(".", "/")
            default = lookup(policy.defaults, pointer)
            if default is MISSING:  # a computed default is the default (defaultFrom)
                default = computed(rule, effective)
            yield from _scalar(
                rule,
                rule.path,
                pointer,
                lookup(effective, pointer),
                lookup(request, pointer),
                default,
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
        text = show_list(allowed)
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
        yield issue("min", DETAILS["min"].format(limit=_shown(rule.keys["min"])))
    if high is not None and exact > high:
        yield issue("max", DETAILS["max"].format(limit=_shown(rule.keys["max"])))
    step = _exact(rule.keys.get("step"), rule.kind)
    if step and rule.kind != "QuantityRules":
        origin = low if low is not None else Fraction(STEP_ORIGIN_WITHOUT_MIN)
        if (exact - origin) % step:
            shown = _shown(rule.keys.get("min", STEP_ORIGIN_WITHOUT_MIN))
            step_text = _shown(rule.keys["step"])
            yield issue("step", DETAILS["step"].format(origin=shown, step=step_text))


def _shown(limit: Any) -> str:
    """A policy's limit as the message quotes it: a quantity as written, at most 60 characters."""
    return clip(limit, 60) if isinstance(limit, str) else show(limit)


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
    if isinstance(value, float) and not math.isfinite(value):
        return None  # the loader reports it: not a JSON number
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


class _Items(NamedTuple):
    """An itemized field: the policy's default items and attributes, the request's items."""

    defaults: list
    shared: dict
    request: list

    def default(self, pair: Pair, field: str) -> Any:
        """The policy's value of ``field`` for the item of ``pair`` (its default item's, else
        the attributes default), or MISSING."""
        if pair.default is not None and self.defaults[pair.default].get(field) is not None:
            return self.defaults[pair.default][field]
        value = self.shared.get(field)
        return MISSING if value is None else value


def _items(merged_defaults: dict, request: dict, name: str) -> _Items:
    defaults, shared = (
        lookup(merged_defaults, f"/{name}/instances"),
        lookup(merged_defaults, f"/{name}/attributes"),
    )
    mine = request.get(name)
    return _Items(
        [i for i in defaults if isinstance(i, dict)] if isinstance(defaults, list) else [],
        shared if isinstance(shared, dict) else {},
        mine if isinstance(mine, list) else [],
    )


def _instances(rule: Rule, request: dict, merged_defaults: dict) -> Iterator[Violation]:
    """canAdd and locked on an itemized field."""
    name = rule.path.split(".")[0]
    items = _items(merged_defaults, request, name)
    locked = rule.keys.get("locked") or []
    for pair in pairs(items.defaults, items.request):
        item = items.request[pair.request] if pair.request is not None else None
        if not isinstance(item, dict):
            continue
        pointer = f"/{name}/{pair.request}"
        if pair.default is None and not pair.excluded and rule.keys.get("canAdd") is False:
            yield Violation("canAdd", name, DETAILS["canAdd"], pointer, key(item), rule, True)
        if pair.default is not None and key(item) in locked and _modifies(item, items, pair):
            details = DETAILS["locked"].format(item=_shown(key(item)))
            yield Violation("locked", name, details, pointer, key(item), rule, True)


def _modifies(item: dict, items: _Items, pair: Pair) -> bool:
    if pair.excluded:
        return True
    return any(k != "exclude" and items.default(pair, k) != v for k, v in item.items())


def _attributes(
    rule: Rule, request: dict, effective: dict, merged_defaults: dict
) -> Iterator[Violation]:
    """An attribute rule (tolerations, imagePullSecrets) on every item of the effective
    field; ``canEdit`` compares what the request's item sets with the policy's value for it."""
    name, _, attribute = rule.path.split(".")
    field = ITEM_FIELD.get(attribute, attribute)
    items = _items(merged_defaults, request, name)
    result = effective.get(name)
    if isinstance(merged_defaults.get(name), dict):  # the policy's items merged in
        order = kept(pairs(items.defaults, items.request))
    else:  # the request's list as it is
        order = [Pair(None, i, False) for i in range(len(items.request))]
    if not isinstance(result, list) or len(result) != len(order):
        return  # not a list of items: the schema layer reports it
    for index, (item, pair) in enumerate(zip(result, order, strict=True)):
        if not isinstance(item, dict):
            continue
        label = ITEM_DETAILS.format(item=_shown(key(item) or "(unnamed)"), attribute=field)
        mine = items.request[pair.request] if pair.request is not None else None
        requested = mine.get(field, MISSING) if isinstance(mine, dict) else MISSING
        pointer = f"/{name}/{index}/{field}"
        value, default = item.get(field, MISSING), items.default(pair, field)
        yield from _scalar(rule, name, pointer, value, requested, default, label)
