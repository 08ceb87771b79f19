"""The effective-request module: merge rules, provenance, list strategies, placement."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nimlint.effective.merge import Effective, Layer, merge, sequence
from nimlint.effective.placement import LayeredView, known_findings
from nimlint.effective.preview import apply_update
from nimlint.engine.context import MISSING, lookup
from nimlint.findings import Problem
from nimlint.lint import Linter, Options
from nimlint.loading.source import documents
from tests.profiles import examples
from tests.test_preview import RUNNING


def layer(name: str, text: str, role: str = "") -> Layer:
    (document,) = documents(text, is_json=name.endswith(".json"))
    return Layer(name, document, role)


LOWER = layer("lower.yaml", "spec:\n  a: 1\n  b: {c: 2, d: [1, 2]}\n  e: x\n", "base")
UPPER = layer("upper.yaml", "spec:\n  b: {c: 3, d: [9]}\n  e: null\n  f: new\n")


def test_mappings_merge_recursively_lists_replace_and_null_keeps_the_lower_value():
    merged = merge(Effective.of(LOWER), Effective.of(UPPER))
    assert merged.data == {"spec": {"a": 1, "b": {"c": 3, "d": [9]}, "e": "x", "f": "new"}}
    assert LOWER.document.data["spec"]["b"] == {"c": 2, "d": [1, 2]}  # inputs untouched


def test_every_pointer_knows_its_layer_and_pointer_there():
    merged = merge(Effective.of(LOWER), Effective.of(UPPER))
    where = {
        p: (o.layer.name, o.pointer)
        for p in ("/spec/a", "/spec/b/c", "/spec/b/d/0", "/spec/e", "/spec/f", "/spec")
        for o in [merged.origin(p)]
    }
    assert where == {
        "/spec/a": ("lower.yaml", "/spec/a"),
        "/spec/b/c": ("upper.yaml", "/spec/b/c"),
        "/spec/b/d/0": ("upper.yaml", "/spec/b/d/0"),
        "/spec/e": ("lower.yaml", "/spec/e"),
        "/spec/f": ("upper.yaml", "/spec/f"),
        "/spec": ("upper.yaml", "/spec"),
    }
    assert merged.set_by("/spec/b/c", UPPER)
    assert not merged.set_by("/spec/b", UPPER)  # a mapping both layers built


def test_select_and_place_move_a_subtree():
    defaults = layer("policy.yaml", "policy:\n  defaults:\n    replicas: 2\n")
    placed = Effective.of(defaults, "/policy/defaults", "/spec")
    assert placed.data == {"spec": {"replicas": 2}}
    origin = placed.origin("/spec/replicas")
    assert (origin.pointer, origin.layer.line_of(origin.pointer)) == (
        "/policy/defaults/replicas",
        3,
    )
    assert placed.origin("") is None
    under = merge(Effective.of(LOWER), placed)  # a container no upper layer has keeps its own
    assert under.origin("").layer is LOWER
    assert (under.origin("/spec").layer, under.origin("/spec").pointer) == (
        defaults,
        "/policy/defaults",
    )


def test_without_removes_a_member_and_its_trace():
    trimmed = merge(Effective.of(LOWER), Effective.of(UPPER)).without("/spec/b")
    assert "b" not in trimmed.data["spec"] and trimmed.origin("/spec/a").layer is LOWER


def by_name(pointer, lower, upper, merge_items):
    """A toy itemized strategy: items merge by name, lower items first."""
    names = [item.get("name") for item in upper.data]
    items = []
    for index, item in enumerate(lower.data):
        mine = item.get("name")
        below = lower.child(index)
        items.append(
            merge_items(below, upper.child(names.index(mine)), pointer) if mine in names else below
        )
    known = {item.get("name") for item in lower.data}
    items += [upper.child(i) for i, n in enumerate(names) if n not in known]
    return sequence(items, upper.own_origin())


def test_a_list_strategy_plugs_in_with_provenance():
    low = layer("p.yaml", "env: [{name: A, value: '1'}, {name: B, value: '2'}]\n")
    high = layer("r.yaml", "env: [{name: B, value: '3'}, {name: C, value: '4'}]\n")
    merged = merge(Effective.of(low), Effective.of(high), by_name)
    assert merged.data["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "3"},
        {"name": "C", "value": "4"},
    ]
    assert (merged.origin("/env/0/value").layer, merged.origin("/env/0/value").pointer) == (
        low,
        "/env/0/value",
    )
    assert merged.origin("/env/1/value").pointer == "/env/0/value"
    assert merged.origin("/env/1/value").layer is high
    assert merged.origin("/env/2/name").pointer == "/env/1/name"


def lint_effective(check, merged, target, known=()):
    """(rule, span, message, pointer) of each finding of ``merged`` placed in ``target``."""
    view = LayeredView("create", merged, target, known)
    placed = (view.place(rule, problem) for rule, problem in check(merged.data))
    return [p[:4] for p in placed if p is not None]


def fake_check(data, kind="create"):
    if lookup(data, "/spec/limit") is not MISSING and data["spec"]["limit"] < data["spec"].get(
        "request", 0
    ):
        yield "R999", Problem("/spec/limit", "spec.limit must be >= spec.request")
    if lookup(data, "/spec/old") is not MISSING:
        yield "R998", Problem("/spec/old", "spec.old is deprecated")


def test_findings_are_placed_in_the_target_with_origin_suffixes_and_base_ones_dropped():
    base = layer("running.yaml", "spec:\n  request: 16\n  limit: 32\n  old: 1\n", "base")
    update = layer("update.yaml", "spec:\n  limit: 8\n")
    merged = merge(Effective.of(base), Effective.of(update))
    known = known_findings(fake_check, Effective.of(base))
    placed = list(lint_effective(fake_check, merged, update, known))
    assert [(rule, span.line, span.column, msg, ptr) for rule, span, msg, ptr in placed] == [
        (
            "R999",
            2,
            10,
            "spec.limit must be >= spec.request (base running.yaml:2: spec.request 16)",
            "/spec/limit",
        )
    ]


def test_a_finding_about_a_lower_value_goes_to_the_nearest_parent_in_the_target():
    base = layer("running.yaml", "spec:\n  request: 16\n  limit: 8\n", "base")
    update = layer("update.yaml", "spec:\n  request: 17\n")
    merged = merge(Effective.of(base), Effective.of(update))
    ((_rule, span, message, pointer),) = lint_effective(fake_check, merged, update)
    assert (span.line, span.column, pointer) == (1, 1, "/spec")
    assert message.endswith("(base running.yaml:3: spec.limit 8)")


json_leaf = st.one_of(st.integers(-5, 5), st.booleans(), st.text("ab", max_size=2))
json_tree = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("xyz"), inner, max_size=3)
    ),
    max_leaves=12,
)
objects = st.dictionaries(st.sampled_from("xyz"), json_tree, max_size=3)


def leaves(value, pointer=""):
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, f"{pointer}/{key}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, f"{pointer}/{index}")
    else:
        yield pointer, value


@given(objects, objects)
def test_every_merged_value_is_found_where_its_origin_says(low, high):
    lower = layer("l.json", json.dumps(low))
    upper = layer("u.json", json.dumps(high))
    merged = merge(Effective.of(lower), Effective.of(upper))
    for pointer, value in leaves(merged.data):
        origin = merged.origin(pointer)
        assert lookup(origin.layer.document.data, origin.pointer) == value
        in_upper = lookup(high, pointer)
        if in_upper is not MISSING and not isinstance(in_upper, dict) and in_upper is not None:
            assert origin.layer is upper  # the upper layer wins on everything it sets


def test_preview_takes_extra_layers_for_the_result_and_the_baseline():
    from nimlint.effective.preview import Preview

    base = layer("running.yaml", "spec:\n  request: 16\n  limit: 32\n", "base")
    update = layer("update.yaml", "spec:\n  request: 20\n")
    policy = layer("policy.yaml", "defaults:\n  limit: 8\n  old: 1\n", "policy")

    class UnderPolicy:
        def extend(self, service):
            return merge(Effective.of(policy, "/defaults", "/spec"), service)

        def problems(self):
            return ()

    preview = Preview(base, fake_check, UnderPolicy())
    assert [(r, p) for r, p, _ in preview.known] == [("R998", "/spec/old")]

    def placed(view):
        found = (view.place(r, p) for r, p in fake_check(view.data))
        return [p for p in found if p is not None]

    view = preview.view(update.document, update.name)
    assert placed(view) == []  # the base's limit 32 wins over the default; old is the base's
    view.known = frozenset()
    assert [p.rule for p in placed(view)] == ["R998"]


def sub_trees(value):
    """Strategy: a random part of ``value``: some keys of each mapping, at any depth."""
    if not isinstance(value, dict) or not value:
        return st.just(value)
    keys = sorted(value)
    return st.lists(st.sampled_from(keys), unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({k: sub_trees(value[k]) for k in chosen})
    )


RUNNING_SPEC = yaml.safe_load(RUNNING.read_text())["spec"]


@settings(max_examples=examples(40), deadline=None)
@given(sub_trees(RUNNING_SPEC))
def test_an_update_that_resends_running_values_changes_nothing_and_finds_nothing(spec):
    update = layer("update.json", json.dumps({"spec": spec}))
    base = layer(str(RUNNING), RUNNING.read_text(), "base")
    assert apply_update(base, update).data == base.document.data
    linter = Linter(Options(base=RUNNING, plugins=False))
    findings = linter.lint_bytes(json.dumps({"spec": spec}).encode(), "update.json", Path("."))
    assert findings == []


def test_effective_with_a_policy_prints_metadata_first_and_no_null_defaults(tmp_path):
    from tests.test_cli import nimlint

    (tmp_path / "policy.yaml").write_text(
        "meta: {scope: project, name: p}\n"
        "policy:\n  defaults:\n    replicas: null\n    imagePullPolicy: IfNotPresent\n"
        "    compute: {gpuDevicesRequest: 1, cpuCoreRequest: null}\n"
    )
    (tmp_path / "spec.yaml").write_text(
        'metadata: {name: llama, projectId: "1"}\nspec:\n  image: nvcr.io/nim/x:1\n'
    )
    result = nimlint("effective", "--policy", "policy.yaml", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert text.startswith("metadata:\n"), text
    assert "null" not in text, text
    assert yaml.safe_load(text)["spec"] == {
        "image": "nvcr.io/nim/x:1",
        "imagePullPolicy": "IfNotPresent",
        "compute": {"gpuDevicesRequest": 1},
    }
