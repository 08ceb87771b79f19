"""Properties of policy compliance: named and unnamed items in defaults and requests, attribute
rules, and defaultFrom in both spellings (issue 21)."""

from __future__ import annotations

import json
import tempfile
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nimlint.effective.merge import Effective, Layer
from nimlint.k8s.quantity import parse_quantity
from nimlint.loading.model import Document
from nimlint.policy.apply import apply_defaults
from nimlint.policy.check import violations
from nimlint.policy.load import load_policy
from nimlint.policy.merge import merge
from tests.profiles import examples

EFFECTS = ["NoSchedule", "NoExecute", "PreferNoSchedule"]


def policy_of(data: dict):
    """The merged policy of one bare ``{defaults, rules}`` document."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.json"
        path.write_text(json.dumps(data))
        return merge([load_policy(path)])


def outcome(policy, spec: dict) -> tuple[dict, list]:
    """(effective spec, violations) of a request ``spec``."""
    request = Layer("request.yaml", Document({"spec": spec}, 0, {}))
    effective = apply_defaults(policy, Effective.of(request)).data["spec"]
    return effective, list(violations(spec, effective, policy))


# Items: a name from a small pool (so that request names meet default names) or none.
names = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"]))


@st.composite
def toleration(draw, *, request: bool) -> dict:
    item = {"key": draw(st.sampled_from(["k1", "k2", "k3"])), "operator": "Exists"}
    name = draw(names)
    if name is not None:
        item["name"] = name
    if draw(st.booleans()):
        item["effect"] = draw(st.sampled_from(EFFECTS))
    if request and name is not None and draw(st.integers(0, 4)) == 0:
        item["exclude"] = True
    return item


def unique_names(items: list[dict]) -> list[dict]:
    """Items with each name at most once (the unnamed ones all kept)."""
    seen, out = set(), []
    for item in items:
        if item.get("name") in seen:
            continue
        if "name" in item:
            seen.add(item["name"])
        out.append(item)
    return out


defaults_items = st.lists(toleration(request=False), max_size=4).map(unique_names)
request_items = st.lists(toleration(request=True), max_size=4).map(unique_names)


@settings(max_examples=examples(80), deadline=None)
@given(defaults=defaults_items, request=request_items, can_add=st.booleans())
def test_items_meet_by_name_and_unnamed_items_are_additions(defaults, request, can_add) -> None:
    policy = policy_of(
        {
            "defaults": {"tolerations": {"instances": defaults}},
            "rules": {"tolerations": {"instances": {"canAdd": can_add}}},
        }
    )
    effective, found = outcome(policy, {"tolerations": request})
    result = effective["tolerations"]
    default_names = {d["name"] for d in defaults if "name" in d}
    by_name = {r["name"]: r for r in request if "name" in r}
    # every default item stays, in order, unless the request excludes it by name
    expected = []
    for item in defaults:
        mine = by_name.get(item.get("name")) if "name" in item else None
        if mine is None:
            expected.append(item)
        elif mine.get("exclude") is not True:
            expected.append({**item, **mine})
    # then every request item that met no default item, unless it says exclude
    added = [r for r in request if r.get("name") not in default_names or "name" not in r]
    expected += [r for r in added if r.get("exclude") is not True]
    assert result == expected
    additions = [r for r in added if r.get("exclude") is not True]
    adds = [v for v in found if v.kind == "canAdd"]
    assert len(adds) == (0 if can_add else len(additions))
    assert all(v.pointer.startswith("/tolerations/") for v in adds)


@settings(max_examples=examples(80), deadline=None)
@given(
    defaults=defaults_items,
    request=request_items,
    shared=st.sampled_from(EFFECTS),
)
def test_can_edit_on_an_attribute_reports_exactly_the_changed_values(
    defaults, request, shared
) -> None:
    policy = policy_of(
        {
            "defaults": {"tolerations": {"attributes": {"effect": shared}, "instances": defaults}},
            "rules": {"tolerations": {"attributes": {"effect": {"canEdit": False}}}},
        }
    )
    _, found = outcome(policy, {"tolerations": request})
    by_name = {d["name"]: d for d in defaults if "name" in d}
    changed = 0
    for item in request:
        if item.get("exclude") is True or "effect" not in item:
            continue
        own = by_name.get(item["name"]) if "name" in item else None
        default = own.get("effect", shared) if own else shared
        changed += item["effect"] != default
    edits = [v for v in found if v.kind == "canEdit"]
    assert len(edits) == changed
    assert all(v.field == "tolerations" and "effect: " in v.details for v in edits)


numbers = st.decimals(min_value=0, max_value=64, places=2).map(float)
factors = st.sampled_from([0.5, 1, 1.5, 2, 4])


@settings(max_examples=examples(60), deadline=None)
@given(
    request=numbers,
    factor=factors,
    dotted=st.booleans(),
    ceiling=st.integers(1, 200),
    set_limit=st.booleans(),
)
def test_default_from_in_both_spellings_computes_then_checks(
    request, factor, dotted, ceiling, set_limit
) -> None:
    source = "compute.cpuCoreRequest" if dotted else "cpuCoreRequest"
    policy = policy_of(
        {
            "rules": {
                "compute": {
                    "cpuCoreLimit": {
                        "defaultFrom": {"field": source, "factor": factor},
                        "max": ceiling,
                        "canEdit": False,
                    }
                }
            }
        }
    )
    compute = {"cpuCoreRequest": request}
    computed = request * factor
    if set_limit:
        compute["cpuCoreLimit"] = computed  # the computed default itself: not a change
    effective, found = outcome(policy, {"compute": compute})
    assert effective["compute"]["cpuCoreLimit"] == computed
    assert [v.kind for v in found] == (["max"] if computed > ceiling else [])


@settings(max_examples=examples(40), deadline=None)
@given(
    mebibytes=st.integers(1, 4096),
    factor=factors,
    dotted=st.booleans(),
)
def test_default_from_keeps_a_quantity_a_quantity(mebibytes, factor, dotted) -> None:
    source = "compute.cpuMemoryRequest" if dotted else "cpuMemoryRequest"
    policy = policy_of(
        {
            "rules": {
                "compute": {"cpuMemoryLimit": {"defaultFrom": {"field": source, "factor": factor}}}
            }
        }
    )
    effective, _ = outcome(policy, {"compute": {"cpuMemoryRequest": f"{mebibytes}Mi"}})
    limit = parse_quantity(effective["compute"]["cpuMemoryLimit"]).value
    exact = mebibytes * 2**20 * Fraction(factor)
    assert exact <= limit < exact + 1  # rounded up to a whole byte
