"""Apply a merged policy's defaults to a service: the effective request.

Built on the shared effective-request module (``nimlint.effective.merge``): the defaults are
one more layer under the request, merged by its rules (absent or null fields take the
default, objects recursively, the request wins), with provenance for every value. What is
policy-specific plugs in here: itemized lists merge by item key (``_itemized``), and
``defaultFrom`` fills what is still absent from another field of the same section.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from nimlint.effective.merge import Effective, Merge, Mixed, Origin, mapping, merge, sequence
from nimlint.engine.context import MISSING, lookup
from nimlint.findings import Problem
from nimlint.messages import field_name, show
from nimlint.policy.items import ITEMIZED, kept, pairs
from nimlint.policy.load import default_source

SPEC = "/spec"
OVERFLOW = object()  # what ``scaled`` gives for a product beyond a 64-bit float


def as_lists(defaults: Effective) -> tuple[Effective, dict[str, Effective]]:
    """Policy defaults (placed at /spec) with each itemized ``{attributes, instances}`` made
    the list of its default items (attributes under each), and the attributes by field.
    A null default is no default (Run:ai exports write null for unset ones): dropped."""
    defaults = _without_nulls(defaults)
    spec = defaults.child("spec") if isinstance(defaults.data.get("spec"), dict) else None
    if spec is None:
        return defaults, {}
    members = {key: spec.child(key) for key in spec.data}
    attributes: dict[str, Effective] = {}
    for name in ITEMIZED:
        wrapper = members.get(name)
        if wrapper is None or not isinstance(wrapper.data, dict):
            continue
        shared = _member(wrapper, "attributes", dict)
        if shared is not None:
            attributes[name] = shared
        instances = _member(wrapper, "instances", list)
        items = [
            merge(shared, instances.child(i)) if shared else instances.child(i)
            for i, item in enumerate(instances.data if instances else [])
            if isinstance(item, dict)
        ]
        members[name] = sequence(items, instances.own_origin() if instances else None)
    return mapping({"spec": mapping(members, spec.own_origin())}, defaults.own_origin()), attributes


def _without_nulls(value: Effective) -> Effective:
    """``value`` without the null members of its mappings, at any depth (lists kept whole)."""
    if not isinstance(value.data, dict):
        return value
    members = {k: _without_nulls(value.child(k)) for k, v in value.data.items() if v is not None}
    return mapping(members, value.own_origin())


def _member(wrapper: Effective, key: str, kind: type) -> Effective | None:
    return wrapper.child(key) if isinstance(wrapper.data.get(key), kind) else None


def apply_defaults(policy, service: Effective) -> Effective:
    """``service`` (a whole request body) with ``policy``'s defaults under it."""
    merged = merge(policy.layered, service, _itemized(policy.attributes))
    return _default_from(policy, merged)


def _itemized(attributes: dict[str, Effective]) -> Callable:
    """The list strategy: itemized fields merge by key (``items.pairs``), other lists are the
    request's."""

    def strategy(pointer: str, lower: Effective, upper: Effective, merge_items: Merge):
        name = pointer[len(SPEC) + 1 :] if pointer.startswith(SPEC + "/") else ""
        if name not in ITEMIZED:
            return upper
        shared = attributes.get(name)
        items = []
        for pair in kept(pairs(lower.data, upper.data)):
            if pair.request is None:
                items.append(lower.child(pair.default))
                continue
            mine = upper.child(pair.request).without("/exclude")
            if pair.default is not None:  # overrides the default item's fields
                items.append(
                    merge_items(lower.child(pair.default), mine, f"{pointer}/{pair.default}")
                )
            else:  # an addition: the attributes defaults under it
                items.append(merge_items(shared, mine, pointer) if shared else mine)
        return sequence(items, upper.own_origin())

    return strategy


def _default_from(policy, result: Effective) -> Effective:
    """Fill absent fields whose rule says ``defaultFrom {field, factor}``; a field computed
    from another computed field waits for it (a pass per link of the chain)."""
    pending = [
        rule for rule in policy.rules.values() if isinstance(rule.keys.get("defaultFrom"), dict)
    ]
    while pending:
        spec = result.data.get("spec") if isinstance(result.data, dict) else None
        filled = []
        for rule in pending:
            if lookup(spec, "/" + rule.path.replace(".", "/")) not in (MISSING, None):
                continue
            value = computed(rule, spec)
            if value is not None:
                owner = rule.origin.policy
                origin = Origin(
                    policy.layers[owner.file], f"{owner.base}{rule.origin.pointer}/defaultFrom"
                )
                result = merge(_placed(value, origin, ["spec", *rule.path.split(".")]), result)
                filled.append(rule)
        if not filled:
            return result
        pending = [rule for rule in pending if rule not in filled]
    return result


def overflows(policy, result: Effective) -> Iterator[tuple[str, Problem]]:
    """A P011 finding for each ``defaultFrom`` of ``result`` (defaults applied) whose product
    is beyond a 64-bit float: the field is left without a default, never set to infinity."""
    spec = result.data.get("spec") if isinstance(result.data, dict) else None
    for rule in policy.rules.values():
        source = rule.keys.get("defaultFrom")
        if not isinstance(source, dict):
            continue
        pointer = "/spec/" + rule.path.replace(".", "/")
        if lookup(spec, pointer[len("/spec") :]) not in (MISSING, None):
            continue
        if _compute(rule, spec) is OVERFLOW:
            path, _ = default_source(rule.path, source.get("field"))
            field = field_name("/spec/" + str(path).replace(".", "/"))
            message = (
                f"{field_name(pointer)}: the policy's default, {field} x "
                f"{show(source.get('factor'))}, is beyond a 64-bit float: no default is applied "
                f"({rule.origin.describe()})"
            )
            yield "P011", Problem(pointer, message, "key")


def computed(rule, spec: Any) -> Any:
    """The default ``rule``'s ``defaultFrom`` computes from ``spec`` (None when it cannot)."""
    value = _compute(rule, spec)
    return None if value is OVERFLOW else value


def _compute(rule, spec: Any) -> Any:
    """``computed``, or OVERFLOW for a product beyond a 64-bit float."""
    source = rule.keys.get("defaultFrom")
    if ".attributes." in rule.path or not isinstance(source, dict):
        return None  # attribute rules: the only numeric attribute is `seconds` itself
    path, _ = default_source(rule.path, source.get("field"))
    if path is None:
        return None
    value = lookup(spec if isinstance(spec, dict) else {}, "/" + path.replace(".", "/"))
    factor = source.get("factor")
    return scaled(value, 1 if factor is None else factor, rule.kind)


def _placed(value: Any, origin: Origin, keys: list[str]) -> Effective:
    data, trace = value, origin
    for key in reversed(keys):
        data, trace = {key: data}, Mixed(None, {key: trace})
    return Effective(data, trace)


def scaled(value: Any, factor: float, kind: str) -> Any:
    """``value * factor`` in the field's type (a quantity stays a quantity string); None when
    there is none, OVERFLOW when a number's product is beyond a 64-bit float."""
    from nimlint.k8s.quantity import QuantityError, parse_quantity

    if kind == "QuantityRules":
        try:
            exact = parse_quantity(value).value * Fraction(factor)
        except (QuantityError, ValueError, TypeError, OverflowError):
            return None
        return str(-(-exact.numerator // exact.denominator))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    product = value * factor
    if not math.isfinite(product):
        return OVERFLOW  # beyond what a JSON number holds: nothing to compute
    if kind.startswith("Integer"):
        return int(product) if float(product).is_integer() else None
    return product
