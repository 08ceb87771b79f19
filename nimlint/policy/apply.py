"""Apply a merged policy's defaults to a create request's spec: the effective request.

Absent (or null) fields take the default, objects recursively; itemized lists merge by
item key: default instances are added, ``attributes`` defaults apply to every item, a
request item with ``exclude: true`` removes the default item of that key (the flag does
not reach the effective request), and a request item with a default's key overrides its
attributes. ``defaultFrom`` fills what is still absent from another field of the section.
``sources`` maps effective pointers (under the spec) to where the value came from.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from nimlint.loading.model import escape_token
from nimlint.policy.decisions import ITEM_KEY
from nimlint.policy.merge import MergedPolicy, Origin

ITEMIZED = ("annotations", "labels", "environmentVariables", "imagePullSecrets", "tolerations")


@dataclass
class Effective:
    """The effective spec and, per pointer, its source: a request pointer or a policy Origin."""

    spec: dict
    sources: dict[str, str | Origin] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)  # field -> excluded keys


def effective_spec(spec: Any, policy: MergedPolicy, base: str = "/spec") -> Effective:
    """The effective spec of request ``spec`` (found at ``base`` in its document)."""
    result = Effective({}, {"": base})
    request = spec if isinstance(spec, dict) else {}
    result.spec = _merge(request, policy.defaults, "", base, policy, result)
    _default_from(policy, result)
    return result


def _merge(request: dict, defaults: dict, pointer: str, base: str, policy, result) -> dict:
    out: dict = {}
    for key in [*request, *(k for k in defaults if k not in request)]:
        child = f"{pointer}/{escape_token(key)}"
        mine, default = request.get(key), defaults.get(key)
        if pointer == "" and key in ITEMIZED and isinstance(default, dict):
            out[key] = _itemized(key, mine, default, base + child, policy, result)
            continue
        if mine is not None:
            result.sources[child] = base + child
            if isinstance(mine, dict) and isinstance(default, dict):
                out[key] = _merge(mine, default, child, base, policy, result)
            else:
                out[key] = mine
        elif default is not None:
            out[key] = copy.deepcopy(default)
            result.sources[child] = Origin(_origin(policy, child).policy, "/defaults" + child)
            for leaf, origin in policy.default_origins.items():
                if leaf.startswith(child + "/"):
                    result.sources[leaf] = origin
        elif key in request:
            out[key] = mine
            result.sources[child] = base + child
    return out


def _origin(policy: MergedPolicy, pointer: str) -> Origin:
    """The origin of the default at ``pointer``: its own, an ancestor's, or its first leaf's."""
    origins = policy.default_origins
    for candidate in _ancestors(pointer):
        if candidate in origins:
            return origins[candidate]
    return next(o for p, o in origins.items() if p.startswith(pointer + "/"))


def _ancestors(pointer: str) -> list[str]:
    tokens = pointer.split("/")
    return ["/".join(tokens[:n]) for n in range(len(tokens), 1, -1)]


def _itemized(name: str, request: Any, default: dict, at: str, policy, result) -> list:
    """Default instances first (unless excluded), then the request's own items."""
    attributes = default.get("attributes") or {}
    instances = [i for i in default.get("instances") or [] if isinstance(i, dict)]
    request = request if isinstance(request, list) else []
    by_key = {i.get(ITEM_KEY): n for n, i in enumerate(request) if isinstance(i, dict)}
    out: list = []
    used: set[int] = set()
    for d_index, instance in enumerate(instances):
        index = by_key.get(instance.get(ITEM_KEY))
        pointer = f"/{name}/{len(out)}"
        origin = Origin(
            _origin(policy, f"/{name}/instances").policy, f"/defaults/{name}/instances/{d_index}"
        )
        if index is None:
            out.append({**attributes, **instance})
            result.sources[pointer] = origin
            continue
        used.add(index)
        mine = request[index]
        if mine.get("exclude") is True:
            result.excluded.setdefault(name, []).append(str(instance.get(ITEM_KEY)))
            continue
        out.append({**attributes, **instance, **_without_exclude(mine)})
        result.sources[pointer] = origin
        for key in mine:
            result.sources[f"{pointer}/{escape_token(key)}"] = f"{at}/{index}/{escape_token(key)}"
    for index, mine in enumerate(request):
        if index in used or not isinstance(mine, dict) or mine.get("exclude") is True:
            continue
        pointer = f"/{name}/{len(out)}"
        out.append({**attributes, **_without_exclude(mine)})
        result.sources[pointer] = f"{at}/{index}"
        for key in attributes:
            if key not in mine:
                attribute = _origin(policy, f"/{name}/attributes/{key}")
                result.sources[f"{pointer}/{escape_token(key)}"] = attribute
    return out


def _without_exclude(item: dict) -> dict:
    return {k: v for k, v in item.items() if k != "exclude"}


def _default_from(policy: MergedPolicy, result: Effective) -> None:
    """Fill absent fields whose rule says ``defaultFrom {field, factor}``."""
    for path, rule in policy.rules.items():
        source = rule.keys.get("defaultFrom")
        if not isinstance(source, dict):
            continue
        *section, name = path.split(".")
        holder = result.spec
        for token in section:
            holder = holder.get(token) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or holder.get(name) is not None:
            continue
        value = scaled(holder.get(source.get("field")), source.get("factor") or 1, rule.kind)
        if value is not None:
            holder[name] = value
            result.sources["/" + path.replace(".", "/")] = Origin(
                rule.origin.policy, rule.origin.pointer + "/defaultFrom"
            )


def scaled(value: Any, factor: float, kind: str) -> Any:
    """``value * factor`` in the field's type (a quantity stays a quantity string)."""
    from nimlint.k8s.quantity import QuantityError, parse_quantity

    if kind == "QuantityRules":
        try:
            exact = parse_quantity(value).value * Fraction(factor)
        except (QuantityError, ValueError, TypeError):
            return None
        return str(-(-exact.numerator // exact.denominator))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    product = value * factor
    if kind.startswith("Integer"):
        return int(product) if float(product).is_integer() else None
    return product
