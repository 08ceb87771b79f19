"""Policy compliance: loading and validation, scope merge, defaults, checks, CLI, formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nimlint.effective.merge import Effective, Layer
from nimlint.lint import Linter, Options
from nimlint.loading.model import Document
from nimlint.policy.apply import apply_defaults
from nimlint.policy.load import PolicyError, load_policy
from nimlint.policy.merge import merge
from tests.profiles import examples

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "policy"
EXAMPLE = FIXTURES / "nim-guardrails-example.yaml"


def nimlint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nimlint", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def policy_file(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def effective_spec(spec: dict, policy) -> dict:
    """The effective spec of a request ``spec`` under ``policy``."""
    request = Layer("request.yaml", Document({"spec": spec}, 0, {}))
    return apply_defaults(policy, Effective.of(request)).data["spec"]


def merged(*texts: str, tmp_path: Path):
    return merge([load_policy(policy_file(tmp_path, t, f"p{i}.yaml")) for i, t in enumerate(texts)])


# --- loading and validation ---------------------------------------------------------------


def test_bad_policy_reports_every_problem_with_its_line_and_exits_2() -> None:
    result = nimlint("check", "--policy", FIXTURES / "bad-policy.yaml", FIXTURES / "request.yaml")
    assert result.returncode == 2
    name = FIXTURES / "bad-policy.yaml"
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"nimlint: error: {name}:4: policy.defaults.replicas: must be an integer (or null), "
        'not string "two"'
    )
    assert lines[1].startswith(
        f"nimlint: error: {name}:7: policy.rules.replicas.minimum: unknown key"
    )
    assert lines[2].startswith(f"nimlint: error: {name}:8: policy.rules.replicas.max: must be an")
    assert lines[3].startswith(f"nimlint: error: {name}:9: policy.rules.blocked: unknown key")
    assert len(lines) == 4
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rules: {replicas: {max: 4}\n", ":2: YAML syntax error"),
        ('{"rules": {"replicas": {"max": 4}},}', ":1: JSON syntax error"),
        ("- a\n", ":1: a policy file holds one mapping"),
        ("rules: {replicas: {max: 4}}\nrules: {}\n", ":2: rules: duplicate key"),
    ],
)
def test_unreadable_policies_are_errors_with_a_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = policy_file(tmp_path, text, "p.json" if text.startswith("{") else "p.yaml")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert expected in caught.value.lines[0]


def test_three_shapes_read_the_same_rules(tmp_path: Path) -> None:
    rules = "{replicas: {max: 4}}"
    bare = load_policy(policy_file(tmp_path, f"rules: {rules}\n", "bare.yaml"))
    body = load_policy(
        policy_file(
            tmp_path,
            f"meta: {{scope: department, name: d}}\npolicy: {{rules: {rules}}}\n",
            "put.yaml",
        )
    )
    response = load_policy(
        policy_file(
            tmp_path,
            "meta: {scope: department, name: d, id: x}\npolicy: {rules: {}}\n"
            f"effective: {{rules: {rules}}}\neffectiveUpdatedAt: now\n",
            "get.yaml",
        )
    )
    assert bare.rules == body.rules == response.rules == {"replicas": {"max": 4}}
    assert (bare.scope, body.scope, response.scope) == ("project", "department", "department")
    assert response.where("/rules/replicas") == f"{tmp_path / 'get.yaml'}:3"


def test_the_reference_example_is_a_valid_policy() -> None:
    policy = load_policy(EXAMPLE)
    assert policy.name == "nim-guardrails"
    assert policy.rules["replicas"] == {"min": 1, "max": 4}


# --- scope merge ------------------------------------------------------------------------


def test_scope_merge_nearest_defaults_and_rules_from_every_scope(tmp_path: Path) -> None:
    cluster = (
        "meta: {scope: cluster, name: c}\npolicy:\n  defaults: {replicas: 2}\n  rules:\n"
        "    compute: {gpuDevicesRequest: {max: 2}}\n"
    )
    project = "defaults: {replicas: 1}\nrules:\n  replicas: {max: 4}\n"
    policy = merged(project, cluster, tmp_path=tmp_path)
    assert policy.defaults == {"replicas": 1}  # nearest (project) wins
    assert policy.rules["replicas"].keys == {"max": 4}
    assert policy.rules["compute.gpuDevicesRequest"].keys == {"max": 2}
    assert policy.rules["compute.gpuDevicesRequest"].origin.policy.scope == "cluster"


def test_two_policies_of_one_scope_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="two project policies"):
        merged("rules: {}\n", "rules: {}\n", tmp_path=tmp_path)


def test_source_of_rule_scope_is_named(tmp_path: Path) -> None:
    text = (
        "meta: {scope: project, name: p}\npolicy: {}\neffective:\n  rules:\n"
        "    replicas: {max: 2, sourceOfRule: {scope: department, departmentId: '3'}}\n"
    )
    request = tmp_path / "r.yaml"
    request.write_text("metadata: {name: a, projectId: '1'}\nspec: {image: x, replicas: 3}\n")
    result = nimlint("check", "--select", "C", "--policy", policy_file(tmp_path, text), request)
    assert result.returncode == 1
    assert (
        "spec.replicas is 3: value must be no greater than 2 (policy p (department scope)"
        in result.stdout
    )


# --- defaults ---------------------------------------------------------------------------


def test_docs_worked_itemized_example_on_environment_variables(tmp_path: Path) -> None:
    """The docs' extendedResources example, on environmentVariables.

    2.24 gives environmentVariables defaults no ``attributes`` (only tolerations and
    imagePullSecrets have them), so the example's attribute default is shown on tolerations
    in the next test; everything else is the docs' example item for item.
    """
    policy = merged(
        "defaults:\n  environmentVariables:\n    instances:\n"
        "      - {name: default/cpu, value: '5'}\n      - {name: default/memory, value: 4M}\n"
        "rules:\n  environmentVariables:\n    instances: {locked: [default/cpu]}\n",
        tmp_path=tmp_path,
    )
    request = {
        "environmentVariables": [
            {"name": "default/memory", "exclude": True},
            {"name": "added/cpu", "value": "3"},
            {"name": "added/memory", "value": "5M"},
        ]
    }
    result = effective_spec(request, policy)
    assert result["environmentVariables"] == [
        {"name": "default/cpu", "value": "5"},
        {"name": "added/cpu", "value": "3"},
        {"name": "added/memory", "value": "5M"},
    ]


def test_attribute_defaults_apply_to_every_item(tmp_path: Path) -> None:
    policy = merged(
        "defaults:\n  tolerations:\n    attributes: {seconds: 3, effect: NoExecute}\n"
        "    instances:\n"
        "      - {name: default/cpu, key: a, operator: Exists, seconds: 5}\n"
        "      - {name: default/memory, key: b, operator: Exists}\n",
        tmp_path=tmp_path,
    )
    request = {
        "tolerations": [
            {"name": "default/memory", "exclude": True},
            {"name": "added/cpu", "key": "c", "operator": "Exists"},
            {"name": "added/memory", "key": "d", "operator": "Exists", "seconds": 7},
        ]
    }
    seconds = [(t["name"], t["seconds"]) for t in effective_spec(request, policy)["tolerations"]]
    assert seconds == [("default/cpu", 5), ("added/cpu", 3), ("added/memory", 7)]


def test_excluding_a_locked_item_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "r.yaml"
    spec.write_text(
        "metadata: {name: a, projectId: '1'}\nspec:\n  image: x\n"
        "  environmentVariables:\n    - {name: default/cpu, exclude: true}\n"
    )
    policy = policy_file(
        tmp_path,
        "defaults: {environmentVariables: {instances: [{name: default/cpu, value: '5'}]}}\n"
        "rules: {environmentVariables: {instances: {locked: [default/cpu]}}}\n",
    )
    result = nimlint("check", "--select", "C", "--format", "runai", "--policy", policy, spec)
    assert json.loads(result.stdout)[0]["complianceIssues"] == [
        {
            "field": "environmentVariables",
            "details": "the administrator prohibited modifying item 'default/cpu'",
            "rule": "locked",
        }
    ]


def test_default_from_fills_from_the_same_section(tmp_path: Path) -> None:
    policy = merged(
        "rules:\n  compute:\n    cpuCoreLimit: {defaultFrom: {field: cpuCoreRequest, factor: 2}}\n"
        "    cpuMemoryLimit: {defaultFrom: {field: cpuMemoryRequest, factor: 2}}\n",
        tmp_path=tmp_path,
    )
    result = effective_spec({"compute": {"cpuCoreRequest": 1.5, "cpuMemoryRequest": "1Gi"}}, policy)
    assert result["compute"]["cpuCoreLimit"] == 3.0
    assert result["compute"]["cpuMemoryLimit"] == str(2 * 2**30)


def test_request_values_win_over_defaults_and_nulls_take_them(tmp_path: Path) -> None:
    policy = merged(
        "defaults: {replicas: 2, servingPort: {port: 8000, grpcPort: 8001}}\n", tmp_path=tmp_path
    )
    result = effective_spec({"replicas": None, "servingPort": {"port": 9000}}, policy)
    assert result == {"replicas": 2, "servingPort": {"port": 9000, "grpcPort": 8001}}


def test_a_finding_about_a_default_names_the_policy_line(tmp_path: Path) -> None:
    policy = policy_file(
        tmp_path, "defaults:\n  replicas: 1\n  compute:\n    gpuDevicesRequest: 0\n"
    )
    spec = tmp_path / "r.yaml"
    spec.write_text(
        "metadata: {name: a, projectId: '1'}\nspec:\n  image: x\n  compute: {cpuCoreRequest: 1}\n"
    )
    result = nimlint("check", "--select", "G009", "--format", "gcc", "--policy", policy, spec)
    assert result.returncode == 0  # G009 is a warning
    assert result.stdout.startswith(f"{spec}:4:3: warning: spec.compute.gpuDevicesRequest is 0")
    suffix = f"(policy default {policy}:4: spec.compute.gpuDevicesRequest 0) [G009]"
    assert result.stdout.rstrip().endswith(suffix)


# --- output and configuration ---------------------------------------------------------


def test_runai_format_one_entry_per_policed_document() -> None:
    result = nimlint(
        "check",
        "--format",
        "runai",
        "--policy",
        EXAMPLE,
        "--policy",
        FIXTURES / "cluster.yaml",
        FIXTURES / "request.yaml",
    )
    assert result.returncode == 1
    entries = json.loads(result.stdout)
    assert [e["file"] for e in entries] == [str(FIXTURES / "request.yaml")]
    assert entries[0]["complianceIssues"] == [
        {"field": "replicas", "details": "value must be no greater than 4", "rule": "max"},
        {
            "field": "compute.cpuCoreRequest",
            "details": "value must be no less than 4",
            "rule": "min",
        },
    ]


def test_config_policy_is_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "guardrails.yaml")
    (folder / ".nimlint.yaml").write_text("policy: guardrails.yaml\n")
    shutil.copy(FIXTURES / "request.yaml", folder / "spec.yaml")
    result = nimlint("check", "--select", "C", "--format", "runai", "team/spec.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)[0]["complianceIssues"][0]["field"] == "replicas"


def test_without_policy_the_policy_package_is_not_imported() -> None:
    code = (
        "import sys; from nimlint.lint import lint_paths; lint_paths(['examples']);"
        "print(any(m.startswith('nimlint.policy') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_update_bodies_are_not_checked_without_a_base(tmp_path: Path) -> None:
    spec = tmp_path / "u.yaml"
    spec.write_text("spec:\n  replicas: 9\n")
    result = nimlint(
        "check", "--kind", "update", "--select", "C", "--format", "runai", "--policy", EXAMPLE, spec
    )
    assert json.loads(result.stdout) == []


# --- properties -------------------------------------------------------------------------

POLICY = merge([load_policy(EXAMPLE)])
# Every min/max of the example policy, read from the policy itself: (field, min, max, quantity).
BOUNDS = [
    (path, rule.keys.get("min"), rule.keys.get("max"), rule.kind == "QuantityRules")
    for path, rule in POLICY.rules.items()
    if "min" in rule.keys or "max" in rule.keys
]
COMPLIANT = {
    "image": "nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3",
    "imagePullPolicy": "IfNotPresent",
}
# Fields the example policy says nothing about, with values of their own type.
UNRESTRICTED = {
    "category": st.sampled_from(["inference", "build"]),
    "priorityClass": st.sampled_from(["high", "low"]),
    "servingPort.grpcPort": st.integers(1, 65535),
    "servingPort.metricsPort": st.integers(1, 65535),
    "compute.cpuCoreLimit": st.integers(2, 64),
    "autoscaling.metric": st.sampled_from(["throughput", "latency"]),
    "probes.readiness.periodSeconds": st.integers(1, 60),
    "modelStore.nimCache.name": st.sampled_from(["llama-cache", "mixtral-cache"]),
}


def _lint(spec: dict) -> list:
    import yaml

    text = yaml.safe_dump({"metadata": {"name": "a", "projectId": "5"}, "spec": spec})
    linter = Linter(Options(policies=(EXAMPLE,), overrides={"select": ("C",)}, plugins=False))
    return linter.lint_bytes(text.encode(), "spec.yaml", ROOT)


def _set(spec: dict, path: str, value) -> dict:
    *parents, name = path.split(".")
    node = spec
    for token in parents:
        node = node.setdefault(token, {})
    node[name] = value
    return spec


def _within(low, high, quantity: bool):
    """Values between ``low`` and ``high`` (quantities in G, as the example's bounds are)."""
    if quantity:
        return st.integers(1, int(high.rstrip("G"))).map(lambda n: f"{n}G")
    return st.integers(low if low is not None else 0, high if high is not None else 10**6)


@settings(max_examples=examples(60), deadline=None)
@given(
    chosen=st.fixed_dictionaries(
        {},
        optional={
            **UNRESTRICTED,
            **{path: _within(low, high, q) for path, low, high, q in BOUNDS},
        },
    )
)
def test_a_request_within_the_policy_is_compliant(chosen: dict) -> None:
    spec = json.loads(json.dumps(COMPLIANT))
    for path, value in chosen.items():
        _set(spec, path, value)
    assert _lint(spec) == []


@settings(max_examples=examples(60), deadline=None)
@given(bound=st.sampled_from(BOUNDS), below=st.booleans(), distance=st.integers(1, 1000))
def test_a_value_out_of_range_is_reported_at_that_field(bound, below, distance) -> None:
    path, low, high, quantity = bound
    below = below if low is not None and high is not None else high is None
    limit = low if below else high
    if quantity:
        value = f"{int(limit.rstrip('G')) + (-distance if below else distance)}G"
    else:
        value = limit - distance if below else limit + distance
    findings = _lint(_set(json.loads(json.dumps(COMPLIANT)), path, value))
    assert [f.rule for f in findings] == ["C006" if below else "C007"]
    assert findings[0].pointer == "/spec/" + path.replace(".", "/")


# --- nimlint effective --------------------------------------------------------------------


def test_effective_prints_the_request_with_the_policy_defaults() -> None:
    result = nimlint(
        "effective", "--format", "json", "--policy", EXAMPLE, FIXTURES / "request.yaml"
    )
    assert result.returncode == 0, result.stderr
    spec = json.loads(result.stdout)["spec"]
    assert spec["replicas"] == 6  # the request's own value
    assert spec["compute"] == {
        "gpuDevicesRequest": 4,
        "cpuCoreRequest": 2,
        "cpuMemoryRequest": "16G",
    }
    assert spec["environmentVariables"] == [{"name": "NIM_LOG_LEVEL", "value": "INFO"}]
    assert spec["tolerations"][0]["effect"] == "NoSchedule"  # an attributes default


def test_effective_needs_a_base_or_a_policy() -> None:
    result = nimlint("effective", FIXTURES / "request.yaml")
    assert result.returncode == 2
    assert result.stderr.startswith("nimlint: error: nothing to apply")


def test_effective_with_a_bad_policy_exits_2() -> None:
    result = nimlint(
        "effective", "--policy", FIXTURES / "bad-policy.yaml", FIXTURES / "request.yaml"
    )
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 4


def test_control_characters_in_a_policy_never_reach_the_terminal(tmp_path: Path) -> None:
    path = policy_file(tmp_path, 'rules:\n  "\\e[31mred": {max: 1}\n')
    result = nimlint("check", "--policy", path, FIXTURES / "request.yaml")
    assert result.returncode == 2
    assert "\x1b" not in result.stderr
    assert "rules.\\x1b[31mred: unknown key" in result.stderr


def test_contradictions_the_schema_cannot_see_are_refused(tmp_path: Path) -> None:
    path = policy_file(
        tmp_path,
        "rules:\n  replicas: {min: 5, max: 2}\n  compute:\n"
        "    cpuMemoryRequest: {max: 1.5.5G}\n    cpuCoreRequest: {step: 0}\n",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert [line.split(": ", 2)[1:] for line in caught.value.lines] == [
        ["rules.replicas", "min 5 is above max 2: nothing complies"],
        [
            "rules.compute.cpuMemoryRequest.max",
            '"1.5.5G" is not a Kubernetes quantity: more than one decimal point',
        ],
        ["rules.compute.cpuCoreRequest.step", "must be above 0"],
    ]


def test_shipped_policy_schema_is_generated_from_the_shipped_openapi() -> None:
    from nimlint.policy.schema import SCHEMA_FILENAME, generate

    openapi = json.loads((ROOT / "schemas" / "runai-2.24-nim-services.openapi.json").read_text())
    shipped = json.loads((ROOT / "schemas" / SCHEMA_FILENAME).read_text())
    assert generate(openapi) == shipped
    rules = shipped["$defs"]["Policy"]["properties"]["rules"]["properties"]
    assert rules["compute"]["properties"]["cpuMemoryRequest"] == {"$ref": "#/$defs/QuantityRules"}
    assert rules["security"]["properties"]["runAsUid"] == {"$ref": "#/$defs/IntegerRulesOptional"}
    assert "existingPvc" not in rules["modelStore"]["properties"]["pvc"]["properties"]


def test_runai_format_lists_a_compliant_document_with_no_issues(tmp_path: Path) -> None:
    spec = tmp_path / "ok.yaml"
    spec.write_text(
        "metadata: {name: a, projectId: '5'}\nspec:\n"
        "  image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3\n  replicas: 2\n"
    )
    result = nimlint("check", "--select", "C", "--format", "runai", "--policy", EXAMPLE, spec)
    assert result.returncode == 0
    # "document" is the 1-based index of the document in its file, as the issue specifies.
    assert json.loads(result.stdout) == [{"file": str(spec), "document": 1, "complianceIssues": []}]


def test_runai_format_under_worker_processes(tmp_path: Path) -> None:
    for index in range(3):
        (tmp_path / f"s{index}.yaml").write_text(
            "metadata: {name: a, projectId: '5'}\nspec: {image: x, replicas: 9}\n"
        )
    result = nimlint(
        "check",
        "--jobs",
        "2",
        "--select",
        "C007",
        "--format",
        "runai",
        "--policy",
        EXAMPLE,
        tmp_path,
    )
    entries = json.loads(result.stdout)
    assert sorted(e["file"] for e in entries) == sorted(str(p) for p in tmp_path.glob("*.yaml"))
    assert all(e["complianceIssues"][0]["rule"] == "max" for e in entries)
