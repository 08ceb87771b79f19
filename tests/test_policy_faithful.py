"""Policy compliance where Run:ai's docs are clear (issue 21): each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nimlint.effective.merge import Effective, Layer
from nimlint.loading.model import Document
from nimlint.policy.apply import apply_defaults
from nimlint.policy.load import PolicyError, load_policy
from nimlint.policy.merge import merge
from tests.test_policy import nimlint

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def merged(tmp_path: Path, *texts: str):
    return merge([load_policy(write(tmp_path, f"p{i}.yaml", t)) for i, t in enumerate(texts)])


def effective_spec(spec: dict, policy) -> dict:
    request = Layer("request.yaml", Document({"spec": spec}, 0, {}))
    return apply_defaults(policy, Effective.of(request)).data["spec"]


def request_file(tmp_path: Path, spec: str) -> Path:
    return write(tmp_path, "r.yaml", "metadata: {name: a, projectId: '5'}\nspec:\n" + spec)


def compliance(tmp_path: Path, policies: list[Path], spec: str) -> list[dict]:
    """The complianceIssues of one request under ``policies``."""
    options = [x for p in policies for x in ("--policy", p)]
    result = nimlint(
        "check", "--select", "C", "--format", "runai", *options, request_file(tmp_path, spec)
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)[0]["complianceIssues"]


# --- item 5: one field ruled in two scopes ------------------------------------------------


CLUSTER = "meta: {scope: cluster, name: c}\npolicy:\n  rules:\n    compute:\n"


def test_two_scopes_ruling_one_field_are_refused_naming_both_files(tmp_path: Path) -> None:
    cluster = write(tmp_path, "cluster.yaml", CLUSTER + "      gpuDevicesRequest: {min: 2}\n")
    department = write(
        tmp_path,
        "dept.yaml",
        "meta: {scope: department, name: d}\npolicy:\n  rules:\n"
        "    compute: {gpuDevicesRequest: {max: 8}}\n",
    )
    result = nimlint("check", "--policy", cluster, "--policy", department, ROOT / "examples")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"nimlint: error: {department}:4: rules.compute.gpuDevicesRequest: already ruled by "
        f"the cluster policy c ({cluster}:5); Run:ai refuses a second policy that rules a field"
    ]


def test_two_scopes_ruling_different_fields_both_apply(tmp_path: Path) -> None:
    policy = merged(
        tmp_path,
        CLUSTER + "      gpuDevicesRequest: {min: 2}\n",
        "rules: {compute: {cpuCoreRequest: {max: 8}}, replicas: {max: 3}}\n",
    )
    assert policy.rules["compute.gpuDevicesRequest"].keys == {"min": 2}
    assert policy.rules["compute.cpuCoreRequest"].keys == {"max": 8}


def test_an_empty_rule_object_rules_nothing(tmp_path: Path) -> None:
    policy = merged(
        tmp_path,
        CLUSTER + "      gpuDevicesRequest: {min: 2}\n",
        "rules: {compute: {gpuDevicesRequest: {}}}\n",
    )
    assert policy.rules["compute.gpuDevicesRequest"].keys == {"min": 2}


def test_decisions_no_longer_hold_a_widest_scope_precedence() -> None:
    import nimlint.policy.decisions as decisions

    assert not hasattr(decisions, "WIDEST_WINS_SECTIONS")
    assert "widest scope wins" not in (ROOT / "docs" / "policy.md").read_text().lower()


# --- item 8: every problem in one run -----------------------------------------------------


def test_schema_and_semantic_errors_are_reported_in_one_run(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.yaml",
        "rules:\n  replicas: {min: 5, max: 2, minimum: 1}\n"
        "  compute: {cpuMemoryRequest: {max: 1.5.5G}, cpuCoreRequest: {step: 0}}\n",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    keys = [line.split(": ")[1] for line in caught.value.lines]
    assert keys == [
        "rules.replicas",
        "rules.replicas.minimum",
        "rules.compute.cpuCoreRequest.step",
        "rules.compute.cpuMemoryRequest.max",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "policy: []\n",
        "policy: {rules: 5}\n",
        "rules: {compute: [1], replicas: {max: [2], min: '1'}}\n",
        "effective: {rules: {compute: {cpuMemoryRequest: {min: 3, max: 2G}}}}\n",
        "defaults: {tolerations: {instances: 4}}\nrules: {tolerations: {instances: []}}\n",
    ],
)
def test_broken_shapes_are_policy_errors_not_crashes(tmp_path: Path, text: str) -> None:
    with pytest.raises(PolicyError):
        load_policy(write(tmp_path, "p.yaml", text))


# --- item 7: the policy schema where the seed is silent follows the API's models -------------


@pytest.mark.parametrize(
    ("text", "error"),
    [
        # runapy ImagePullSecretsDefaults: instances only
        (
            "defaults: {imagePullSecrets: {attributes: {userCredential: true}}}\n",
            "defaults.imagePullSecrets.attributes: unknown key (allowed here: instances)",
        ),
        # runapy ClaimInfoRules.size: StringRules (no min/max)
        (
            "rules: {modelStore: {pvc: {claimInfo: {size: {max: 10Gi}}}}}\n",
            "rules.modelStore.pvc.claimInfo.size.max: unknown key",
        ),
    ],
)
def test_policy_schema_refuses_what_the_api_models_lack(
    tmp_path: Path, text: str, error: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(write(tmp_path, "p.yaml", text))
    assert any(error in line for line in caught.value.lines), caught.value.lines


def test_policy_schema_accepts_what_the_api_models_have(tmp_path: Path) -> None:
    policy = load_policy(
        write(
            tmp_path,
            "p.yaml",
            "defaults: {tolerations: {attributes: {name: shared, effect: NoSchedule}}}\n"
            "rules: {modelStore: {pvc: {claimInfo: {size: {options: [{value: 10Gi}]}}}}}\n",
        )
    )
    assert policy.defaults["tolerations"]["attributes"]["name"] == "shared"


def test_a_patch_body_with_reset_is_refused_with_its_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "patch.yaml",
        "meta: {scope: project, name: p, projectId: 5}\npolicy: {rules: {replicas: {max: 2}}}\n"
        "reset: [compute.gpuDevicesRequest]\n",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.lines == [
        f"{path}:3: reset: a PATCH body clears fields of the policy stored on the server, which "
        "nimlint cannot see; give the whole policy (a PUT body, or the GET response)"
    ]
    # an empty reset changes nothing: the body is a policy like a PUT body
    path.write_text(path.read_text().replace("[compute.gpuDevicesRequest]", "[]"))
    assert load_policy(path).rules == {"replicas": {"max": 2}}


# --- item 3: unnamed items match nothing ----------------------------------------------------

GPU = "{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}"


def test_an_unnamed_request_item_is_added_not_a_replacement(tmp_path: Path) -> None:
    policy = merged(tmp_path, f"defaults: {{tolerations: {{instances: [{GPU}]}}}}\n")
    request = {"tolerations": [{"key": "team", "operator": "Exists"}]}
    assert effective_spec(request, policy)["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "team", "operator": "Exists"},
    ]


def test_an_unnamed_request_item_under_can_add_false_is_reported(tmp_path: Path) -> None:
    policy = write(
        tmp_path,
        "p.yaml",
        f"defaults: {{tolerations: {{instances: [{GPU}]}}}}\n"
        "rules: {tolerations: {instances: {canAdd: false}}}\n",
    )
    spec = "  image: x\n  tolerations:\n    - {key: team, operator: Exists}\n"
    assert compliance(tmp_path, [policy], spec) == [
        {
            "field": "tolerations",
            "details": "the administrator prohibited adding new items",
            "rule": "canAdd",
        }
    ]


# --- item 1: canEdit on an item attribute -----------------------------------------------------

EFFECT_LOCKED = (
    "defaults:\n  tolerations:\n    attributes: {effect: NoSchedule}\n"
    "    instances: [{name: gpu, key: nvidia.com/gpu, operator: Exists, effect: NoExecute}]\n"
    "rules: {tolerations: {attributes: {effect: {canEdit: false}}}}\n"
)


@pytest.mark.parametrize(
    ("item", "reported"),
    [
        ("{name: t, key: k, operator: Exists, effect: NoExecute}", True),  # changes the default
        ("{name: t, key: k, operator: Exists, effect: NoSchedule}", False),  # the default itself
        ("{name: t, key: k, operator: Exists}", False),  # takes the default
        ("{name: gpu, effect: NoExecute}", False),  # the default item's own value
        ("{name: gpu, effect: NoSchedule}", True),  # changes the default item's value
    ],
)
def test_can_edit_false_on_an_attribute_is_enforced(
    tmp_path: Path, item: str, reported: bool
) -> None:
    policy = write(tmp_path, "p.yaml", EFFECT_LOCKED)
    name = item.split(",")[0].split(": ")[1]
    expected = [
        {
            "field": "tolerations",
            "details": f"item '{name}': effect: the administrator prohibited changing the "
            "value of this field",
            "rule": "canEdit",
        }
    ]
    issues = compliance(tmp_path, [policy], f"  image: x\n  tolerations:\n    - {item}\n")
    assert issues == (expected if reported else [])


# --- item 4: userCredentials rules the items' userCredential ---------------------------------


@pytest.mark.parametrize(
    ("item", "reported"), [("{name: s, userCredential: true}", False), ("{name: s}", True)]
)
def test_user_credentials_rule_reads_the_items_user_credential(
    tmp_path: Path, item: str, reported: bool
) -> None:
    policy = write(
        tmp_path,
        "p.yaml",
        "rules: {imagePullSecrets: {attributes: {userCredentials: {required: true}}}}\n",
    )
    issues = compliance(tmp_path, [policy], f"  image: x\n  imagePullSecrets:\n    - {item}\n")
    assert [i["rule"] for i in issues] == (["required"] if reported else [])


# --- item 8: messages, pointers and lines name the user's file --------------------------------


def test_a_finding_on_a_request_item_names_its_index_in_the_request(tmp_path: Path) -> None:
    policy = write(
        tmp_path,
        "p.yaml",
        "defaults: {tolerations: {instances: [{name: gpu, key: g, operator: Exists}]}}\n",
    )
    request = request_file(
        tmp_path,
        "  image: x\n  tolerations:\n    - {name: mine, key: 'bad key!', operator: Exists}\n",
    )
    result = nimlint("check", "--format", "json", "--policy", policy, request)
    found = [f for f in json.loads(result.stdout)["findings"] if "taint key" in f["message"]]
    assert len(found) == 1, result.stdout
    assert found[0]["pointer"] == "/spec/tolerations/0/key"
    assert found[0]["message"].startswith('spec.tolerations[0].key "bad key!"')
    assert found[0]["line"] == 5


# --- item 2: defaultFrom as the docs write it -------------------------------------------------


@pytest.mark.parametrize("source", ["cpuCoreRequest", "compute.cpuCoreRequest"])
def test_default_from_in_both_spellings_fills_the_field(tmp_path: Path, source: str) -> None:
    policy = merged(
        tmp_path,
        f"rules: {{compute: {{cpuCoreLimit: {{defaultFrom: {{field: {source}, "
        "factor: 0.5}}}}\n",
    )
    assert effective_spec({"compute": {"cpuCoreRequest": 3}}, policy)["compute"] == {
        "cpuCoreRequest": 3,
        "cpuCoreLimit": 1.5,
    }


def test_a_max_on_a_computed_field_checks_the_computed_value(tmp_path: Path) -> None:
    policy = write(
        tmp_path,
        "p.yaml",
        "rules:\n  compute:\n    cpuMemoryLimit:\n"
        "      defaultFrom: {field: compute.cpuMemoryRequest, factor: 2}\n      max: 16Gi\n",
    )
    issues = compliance(tmp_path, [policy], "  image: x\n  compute: {cpuMemoryRequest: 10Gi}\n")
    assert issues == [
        {
            "field": "compute.cpuMemoryLimit",
            "details": "value must be no greater than 16Gi",
            "rule": "max",
        }
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("nope", "names no field of compute"),
        ("compute.nope", "names no field of compute"),
        ("security.runAsUid", "names no field of compute"),
        ("gpuRequestType", "is not a number"),
        ("cpuMemoryLimit", "is a quantity"),
        ("cpuCoreLimit", "is the field itself"),
    ],
)
def test_a_default_from_source_that_names_no_usable_field_is_refused(
    tmp_path: Path, source: str, reason: str
) -> None:
    path = write(
        tmp_path,
        "p.yaml",
        f"rules:\n  compute:\n    cpuCoreLimit:\n      defaultFrom: {{field: {source}}}\n",
    )
    result = nimlint("check", "--policy", path, ROOT / "examples")
    assert result.returncode == 2
    line = f"nimlint: error: {path}:4: rules.compute.cpuCoreLimit.defaultFrom.field: "
    assert result.stderr.startswith(line), result.stderr
    assert reason in result.stderr


# --- item 6: canEdit: false with defaultFrom ------------------------------------------------


@pytest.mark.parametrize(("limit", "reported"), [(6, False), (5, True)])
def test_can_edit_false_compares_with_the_computed_default(
    tmp_path: Path, limit: int, reported: bool
) -> None:
    policy = write(
        tmp_path,
        "p.yaml",
        "rules:\n  compute:\n    cpuCoreLimit:\n      canEdit: false\n"
        "      defaultFrom: {field: compute.cpuCoreRequest, factor: 2}\n",
    )
    spec = f"  image: x\n  compute: {{cpuCoreRequest: 3, cpuCoreLimit: {limit}}}\n"
    assert [i["rule"] for i in compliance(tmp_path, [policy], spec)] == (
        ["canEdit"] if reported else []
    )


# --- item 9: --format runai with no policy says so ------------------------------------------


def test_runai_format_without_any_policy_is_a_usage_error() -> None:
    result = nimlint("check", "--format", "runai", ROOT / "examples")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "nimlint: error: --format runai reports compliance with a Run:ai policy, and no create "
        "request was checked against one: give --policy FILE, or `policy:` in the "
        "configuration (or choose another --format)\n"
    )


def test_runai_format_with_a_policy_and_only_update_bodies_lists_nothing(tmp_path: Path) -> None:
    policy = write(tmp_path, "p.yaml", "rules: {replicas: {max: 2}}\n")
    update = write(tmp_path, "u.yaml", "spec: {replicas: 9}\n")
    result = nimlint("check", "--kind", "update", "--format", "runai", "--policy", policy, update)
    assert (result.returncode, result.stdout) == (0, "[]\n")


# --- every decision names its source ---------------------------------------------------------


def test_every_decision_names_its_source() -> None:
    import ast

    path = ROOT / "nimlint" / "policy" / "decisions.py"
    lines = path.read_text().splitlines()
    names = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign):
            above = []
            for line in reversed(lines[: node.lineno - 1]):
                if not line.startswith("#"):
                    break
                above.insert(0, line)
            source = " ".join(above).partition("# Source: ")[2]
            assert source, f"{node.targets[0].id} names no source"
            assert any(w in source for w in ("docs:", "API:", "inferred", "wording")), source
            names.append(node.targets[0].id)
    assert len(names) >= 10


def test_a_policy_named_through_a_parent_folder_is_shown_without_it(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "deploy").mkdir()
    write(tmp_path / "policies", "p.yaml", "rules: {replicas: {max: 2}}\n")
    write(tmp_path / "deploy", ".nimlint.yaml", "policy: ../policies/p.yaml\n")
    write(
        tmp_path / "deploy", "r.yaml", "metadata: {name: a, projectId: '5'}\nspec: {replicas: 3}\n"
    )
    result = nimlint("check", "--select", "C", "--format", "concise", "deploy", cwd=tmp_path)
    # relative to the working folder, as --policy would show it (issue 23 item 5)
    assert " policies/p.yaml:1)" in result.stdout, result.stdout
    assert ".." not in result.stdout and str(tmp_path) not in result.stdout


@pytest.mark.parametrize(
    ("factor", "request_value"), [("1e308", "2"), ("2", ".inf"), ("1", "1e308")]
)
def test_computed_values_beyond_floats_are_no_crash(
    tmp_path: Path, factor: str, request_value: str
) -> None:
    policy = write(
        tmp_path,
        "p.yaml",
        "rules:\n  compute:\n"
        f"    cpuCoreLimit: {{defaultFrom: {{field: cpuCoreRequest, factor: {factor}}}, max: 4}}\n"
        "    cpuCoreRequest: {max: 8, step: 0.5}\n",
    )
    request = request_file(
        tmp_path, f"  image: x\n  compute: {{cpuCoreRequest: {request_value}}}\n"
    )
    for command in ("check", "effective"):
        result = nimlint(command, "--policy", policy, request)
        assert result.returncode in (0, 1), result.stderr
        assert "internal error" not in result.stderr


def test_a_finding_on_a_policy_default_item_names_it_in_the_policy(tmp_path: Path) -> None:
    policy = write(
        tmp_path,
        "p.yaml",
        "defaults:\n  tolerations:\n    instances:\n"
        "      - {name: gpu, key: 'bad key!', operator: Exists, effect: NoSchedule}\n",
    )
    request = request_file(
        tmp_path,
        "  image: x\n  tolerations:\n"
        "    - {name: mine, key: 'also bad!', operator: Exists, effect: NoSchedule}\n",
    )
    result = nimlint("check", "--select", "T004", "--format", "json", "--policy", policy, request)
    messages = sorted(f["message"] for f in json.loads(result.stdout)["findings"])
    assert len(messages) == 2
    assert messages[0].startswith('defaults.tolerations.instances[0].key "bad key!" is not')
    assert messages[0].endswith(
        f'(policy default {policy}:4: defaults.tolerations.instances[0].key "bad key!")'
    )
    assert messages[1].startswith('spec.tolerations[0].key "also bad!" is not')
