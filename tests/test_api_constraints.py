"""Issue 22: every constraint the Run:ai document states, and nothing it does not.

Each test has a document that breaks the constraint and one that keeps it, linted through
the plain API (all rules on, as a user runs nimlint).
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nimlint.lint import Options, lint_text
from tests.strategies import load_schema, with_nulls

CREATE = """\
metadata: {name: llama, projectId: "1"}
spec:
  image: nvcr.io/nim/meta/llama3-8b-instruct:1.0.0
  imagePullSecrets: [{name: ngc}]
  servingPort: {port: 8000}
  compute: {gpuDevicesRequest: 1}
"""


def findings(text: str, filename: str = "body.yaml", **options):
    return lint_text(textwrap.dedent(text), filename, Options(plugins=False, **options))


def rules(text: str, filename: str = "body.yaml") -> list[tuple[str, str]]:
    return sorted((f.rule, f.pointer) for f in findings(text, filename))


def with_compute(fields: str) -> str:
    """The valid create request with ``fields`` as its compute block."""
    return CREATE.replace("{gpuDevicesRequest: 1}", fields)


def create(extra: str) -> str:
    """The valid create request with ``extra`` (lines under spec, indented 2) appended."""
    return CREATE + textwrap.indent(textwrap.dedent(extra), "  ")


def test_the_base_create_is_clean():
    assert rules(CREATE) == []


# --- item 9: one problem, one finding --------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "rule", "pointer"),
    [
        (
            "labels: [{name: " + "a" * 64 + ", value: x}]\n",
            "S005",
            "/spec/labels/0/name",
        ),
        (
            "annotations: [{name: " + "a" * 64 + ", value: x}]\n",
            "S005",
            "/spec/annotations/0/name",
        ),
    ],
)
def test_one_finding_for_a_too_long_name(extra, rule, pointer):
    assert rules(create(extra)) == [(rule, pointer)]


def test_one_finding_for_a_negative_gpu_portion():
    text = with_compute("{gpuRequestType: portion, gpuPortionRequest: -0.5, gpuPortionLimit: -1}")
    assert rules(text) == [
        ("S004", "/spec/compute/gpuPortionLimit"),
        ("S004", "/spec/compute/gpuPortionRequest"),
    ]


def test_one_finding_for_a_too_long_image():
    text = CREATE.replace(":1.0.0", ":1.0" + "a" * 240)
    assert rules(text) == [("S005", "/spec/image")]


def test_the_domain_rule_still_reports_what_the_schema_does_not():
    text = with_compute("{gpuRequestType: portion, gpuPortionRequest: 2}")
    assert rules(text) == [("G006", "/spec/compute/gpuPortionRequest")]
    text = CREATE + "  labels: [{name: a b, value: x}]\n"
    assert rules(text) == [("K003", "/spec/labels/0/name")]


# --- item 10: messages that say what the document says ---------------------------------


def test_no_gpu_message_quotes_the_value():
    text = with_compute("{gpuDevicesRequest: 0}")
    [finding] = findings(text)
    assert finding.rule == "G009"
    assert "gpuDevicesRequest is 0 " in finding.message


def test_a_negative_device_count_is_one_finding_that_says_so():
    text = with_compute("{gpuDevicesRequest: -1}")
    [finding] = findings(text)
    assert (finding.rule, finding.pointer) == ("S004", "/spec/compute/gpuDevicesRequest")
    assert "got -1" in finding.message


@pytest.mark.parametrize(
    ("written", "quoted"),
    [("0755", '"0755"'), ("1e9", '"1e9"'), ("1.50", '"1.50"'), ("12", '"12"'), ("true", '"true"')],
)
def test_quote_advice_quotes_the_text_as_written(written, quoted):
    text = CREATE + f"  environmentVariables: [{{name: A, value: {written}}}]\n"
    [s001] = [f for f in findings(text) if f.rule == "S001"]
    assert s001.message.endswith(f"; quote it: {quoted}")


def test_quote_advice_in_json_quotes_the_text_as_written():
    text = '{"metadata": {"name": "llama", "projectId": 1E3}}'
    [s001] = [f for f in findings(text, "body.json") if f.rule == "S001"]
    assert s001.message.endswith('; quote it: "1E3"')


def test_no_value_has_two_findings_of_the_schema_and_a_rule():
    """Across the bad documents of this file: at most one finding per pointer."""
    bodies = [
        with_compute("{gpuDevicesRequest: -1}"),
        with_compute("{gpuRequestType: portion, gpuPortionRequest: -2}"),
        create("labels: [{name: " + "B" * 70 + ", value: x}]\n"),
        create("annotations: [{name: " + "b" * 70 + ", value: x}]\n"),
        CREATE.replace(":1.0.0", ":" + "A" * 300),
    ]
    for body in bodies:
        counts = Counter(f.pointer for f in findings(body))
        assert max(counts.values()) == 1, body


# --- item 8: the plain-text secret heuristic judges the value too -------------------------

NGC_KEY = "nvapi-" + "Xy3kQ9" * 10
HF_TOKEN = "hf_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EOS_TOKEN", "</s>"),
        ("BOS_TOKEN", "<|begin_of_text|>"),
        ("PAD_TOKEN", "[PAD]"),
        ("REQUIRE_PASSWORD", "false"),
        ("USE_API_KEY", "True"),
        ("NIM_MAX_TOKEN", "4096"),
        ("RETRY_SECRET", "0.5"),
        ("NIM_MODEL_PROFILE", "a" * 8 + "0123456789abcdef" * 3 + "b" * 8),
        ("HF_TOKEN", "$(HF_TOKEN_FROM_SECRET)"),
    ],
)
def test_plain_values_that_are_no_credential(name, value):
    text = create(f"environmentVariables: [{{name: {name}, value: '{value}'}}]\n")
    assert rules(text) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HF_TOKEN", HF_TOKEN),
        ("DB_PASSWORD", "hunter2"),
        ("NGC_API_KEY", NGC_KEY),
        ("MODEL_REPO_CREDENTIAL", NGC_KEY),  # no credential name: the value says it
        ("HUB_ACCESS", HF_TOKEN),
    ],
)
def test_plain_values_that_are_credentials(name, value):
    text = create(f"environmentVariables: [{{name: {name}, value: '{value}'}}]\n")
    assert rules(text) == [("V009", "/spec/environmentVariables/0/value")]
    [finding] = findings(text)
    assert value not in finding.message  # never print the secret


# --- item 3: gRPC becomes the default when grpcPort is set ------------------------------


def test_grpc_port_alone_gets_an_info_naming_the_default():
    text = CREATE.replace("{port: 8000}", "{port: 8000, grpcPort: 50051}")
    [finding] = findings(text)
    assert (finding.rule, str(finding.severity)) == ("N009", "info")
    assert finding.pointer == "/spec/servingPort/grpcPort"
    assert "defaults to grpc" in finding.message
    assert "exposedProtocol: http" in finding.message


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_grpc_port_with_a_protocol_is_clean(protocol):
    ports = f"{{port: 8000, grpcPort: 50051, exposedProtocol: {protocol}}}"
    assert rules(CREATE.replace("{port: 8000}", ports)) == []


def test_no_grpc_port_no_grpc_default():
    assert rules(CREATE.replace("{port: 8000}", "{port: 8000, grpcPort: null}")) == []


# --- item 4: priority without preemptibility --------------------------------------------


@pytest.mark.parametrize("kind", ["create", "update"])
def test_priority_without_preemptibility_gets_an_info(kind):
    text = create("priorityClass: high\n") if kind == "create" else "spec: {priorityClass: high}\n"
    [finding] = findings(text)
    assert (finding.rule, str(finding.severity)) == ("K016", "info")
    assert finding.pointer == "/spec/priorityClass"
    assert "Make sure to set the desired preemptibility value" in finding.message


@pytest.mark.parametrize(
    "extra",
    [
        "priorityClass: high\npreemptibility: non-preemptible\n",
        "preemptibility: preemptible\n",
        "priorityClass: null\n",
    ],
)
def test_priority_with_preemptibility_is_clean(extra):
    assert rules(create(extra)) == []


def test_an_unknown_priority_is_one_finding():
    assert rules(create("priorityClass: urgent\n")) == [("K010", "/spec/priorityClass")]


# --- done when: the real-world documents and the examples lint without any finding -------

ROOT = Path(__file__).resolve().parent.parent
VALID = sorted(
    [*(ROOT / "tests" / "fixtures" / "real-world").iterdir(), *(ROOT / "examples").iterdir()]
)


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_documents_have_no_finding_at_all(path):
    found = lint_text(path.read_text("utf-8"), path.name, Options(plugins=False, isolated=True))
    assert [(f.rule, f.line, f.message) for f in found] == []


# --- item 5: Kubernetes rules nimlint applies elsewhere ----------------------------------

NEW_PVC = """\
modelStore:
  pvc:
    claimName: {claim}
    claimInfo:
      size: 100Gi
      accessModes: {modes}
"""


def pvc(claim: str = "llama-store", modes: str = "null", existing: bool = False) -> str:
    text = NEW_PVC.format(claim=claim, modes=modes)
    return create(text + ("    existingPvc: true\n" if existing else ""))


@pytest.mark.parametrize(
    "modes",
    [
        "{readWriteOnce: false}",
        "{readWriteOnce: false, readOnlyMany: false, readWriteMany: false}",
        "{readWriteOnce: false, readWriteMany: null}",
    ],
)
def test_a_new_pvc_without_any_access_mode(modes):
    assert rules(pvc(modes=modes)) == [("M008", "/spec/modelStore/pvc/claimInfo/accessModes")]


@pytest.mark.parametrize(
    "modes",
    [
        "null",
        "{}",
        "{readWriteOnce: null, readOnlyMany: false, readWriteMany: false}",
        "{readWriteOnce: false, readOnlyMany: true}",
    ],
)
def test_a_new_pvc_with_an_access_mode(modes):
    assert rules(pvc(modes=modes)) == []


@pytest.mark.parametrize("claim", ["Llama_Store", "store.-x", "-store"])
def test_a_claim_name_that_is_no_pvc_name(claim):
    assert rules(pvc(claim=claim)) == [("M009", "/spec/modelStore/pvc/claimName")]
    existing = create(f"modelStore: {{pvc: {{existingPvc: true, claimName: '{claim}'}}}}\n")
    assert rules(existing) == [("M009", "/spec/modelStore/pvc/claimName")]


@pytest.mark.parametrize("claim", ["llama-store", "llama.store-v1", "'0'"])
def test_a_claim_name_that_is_a_pvc_name(claim):
    assert rules(pvc(claim=claim)) == []


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("runAsUid", "-1", "K017"),
        ("runAsGid", "2147483648", "K017"),
        ("runAsUid", "9223372036854775808", "P011"),  # beyond int64: the loader's alone
    ],
)
def test_run_as_ids_outside_the_kubernetes_range(field, value, rule):
    assert rules(create(f"security: {{{field}: {value}}}\n")) == [(rule, f"/spec/security/{field}")]


@pytest.mark.parametrize("value", ["1", "1000", "2147483647"])
def test_run_as_ids_inside_the_kubernetes_range(value):
    assert rules(create(f"security: {{runAsUid: {value}, runAsGid: {value}}}\n")) == []


# --- item 7: null means "not set" -------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        "modelStore: {}\n",
        "modelStore: {nimCache: null, pvc: null}\n",
        "modelStore: {pvc: {claimInfo: null}, nimCache: {name: null, profile: null}}\n",
        "autoscaling: {}\n",
        "autoscaling: {minReplicas: null, maxReplicas: null, metric: null}\n",
        "probes: {readiness: {}}\n",
        "probes: {readiness: {handler: null, periodSeconds: null}}\n",
        "multiNode: {workers: null}\n",
        "security: {runAsUid: null, runAsGid: null}\n",
        "servingPort: {port: 8000, grpcPort: null, exposedProtocol: null}\n",
    ],
)
def test_an_object_of_nulls_is_an_absent_object(extra):
    text = create(extra)
    if extra.startswith("servingPort"):
        text = CREATE.replace("  servingPort: {port: 8000}\n", "") + "  " + extra
    assert rules(text) == []


def test_a_list_entry_of_nulls_is_still_an_entry():
    assert rules(create("labels: [{name: null, value: x}]\n")) == [("K002", "/spec/labels/0")]


def test_a_null_field_is_still_missing_where_required():
    text = CREATE.replace("  servingPort: {port: 8000}\n", "  servingPort: {port: null}\n")
    assert rules(text) == [("N001", "/spec")]


# --- done when: the same documents as an SDK sends them (unset fields as null) -----------


def _valid_documents() -> list[tuple[str, str, object]]:
    """(kind, file name, data) of every document of the valid files."""
    from nimlint.loading.source import documents
    from nimlint.schema.kinds import detect_kind

    found = []
    for path in VALID:
        for doc in documents(path.read_text("utf-8"), is_json=path.suffix == ".json"):
            if isinstance(doc.data, dict):
                found.append((detect_kind(doc.data), path.name, doc.data))
    return found


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(_valid_documents()), st.randoms(use_true_random=False))
def test_valid_documents_with_explicit_nulls_have_no_finding(document, random):
    kind, name, data = document
    sdk = with_nulls(load_schema(kind), data, lambda _: random.random() < 0.7)
    found = lint_text(json.dumps(sdk), "sdk.json", Options(plugins=False, isolated=True))
    assert [(f.rule, f.pointer, f.message) for f in found] == [], (name, sdk)


def test_every_unset_field_null_is_clean_too():
    for kind, name, data in _valid_documents():
        sdk = with_nulls(load_schema(kind), data)
        assert sdk != data
        found = lint_text(json.dumps(sdk), "sdk.json", Options(plugins=False, isolated=True))
        assert [(f.rule, f.pointer) for f in found] == [], name


# --- item 2: the formats the document names are checked ----------------------------------

PROBE = """\
probes:
  readiness:
    handler:
      httpGet: {{path: /v1/health/ready, port: 8000, host: {host}}}
"""
HOST = "/spec/probes/readiness/handler/httpGet/host"


@pytest.mark.parametrize("host", ["'not a host'", "-llama.internal", "llama_1.internal", "a..b"])
def test_a_probe_host_that_is_no_hostname(host):
    [finding] = findings(create(PROBE.format(host=host)))
    assert (finding.rule, finding.pointer, finding.line) == ("S010", HOST, 10)
    assert "hostname" in finding.message


@pytest.mark.parametrize("host", ["llama.internal", "10.0.0.1", "LLAMA-1.example.com", "localhost"])
def test_a_probe_host_that_is_a_hostname(host):
    assert rules(create(PROBE.format(host=host))) == []


RESPONSE = """\
metadata:
  name: llama
  projectId: "4501"
  id: {id}
  gvk: {{group: apps.nvidia.com, version: v1alpha1, kind: NIMService}}
  projectName: inference
  clusterId: 71f69d83-ba66-4822-adf5-55ce55efd210
  tenantId: 1
  departmentId: "2"
  departmentName: research
  createdAt: "{created}"
  createdBy: ops@example.com
  updatedAt: "2025-06-01T10:00:00Z"
  updatedBy: ops@example.com
desiredPhase: Running
spec:
  image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3
  ngcAuthSecret: ngc-api-secret
"""


def test_response_ids_and_times_in_their_formats():
    good = RESPONSE.format(
        id="0b6e1c0e-6f4b-4d6b-9a53-3c0f6a3d2f10", created="2025-06-01T10:00:00Z"
    )
    assert [f.rule for f in findings(good) if f.rule.startswith("S")] == []
    bad = RESPONSE.format(id="workload-17", created="2025-06-31 10:00")
    assert sorted((f.rule, f.pointer) for f in findings(bad) if f.rule.startswith("S")) == [
        ("S010", "/metadata/createdAt"),
        ("S010", "/metadata/id"),
    ]


def test_openapi_formats_are_not_json_schema_formats():
    """int32, int64, double and the document's format ".*" (on createdBy) check nothing."""
    text = RESPONSE.format(
        id="0b6e1c0e-6f4b-4d6b-9a53-3c0f6a3d2f10", created="2025-06-01T10:00:00Z"
    )
    text = text.replace("createdBy: ops@example.com", "createdBy: 'any text: .* matches it'")
    assert [f.rule for f in findings(text) if f.rule.startswith("S")] == []


def test_format_checks_never_reach_the_network(monkeypatch):
    """Both validators check formats by shape alone: with every way to resolve or connect
    made to fail, hosts that would resolve lint the same."""
    import socket

    from nimlint.schema.formats import NAMED
    from tests.oracle import reference_validator

    def offline(*args, **kwargs):
        raise AssertionError("a format check tried to reach the network")

    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        monkeypatch.setattr(socket, name, offline)
    monkeypatch.setattr(socket.socket, "connect", offline)
    for host in ("localhost", "example.com", "nvcr.io", "10.0.0.1", "no_such_host"):
        found = rules(create(PROBE.format(host=host)))
        assert found == ([("S010", HOST)] if "_" in host else [])
    schema = {"properties": {name: {"format": name} for name in NAMED}}
    values = {"hostname": "example.com", "uuid": "x", "date-time": "now"}
    assert len(list(reference_validator(schema).iter_errors(values))) == 2


# --- item 6: fields a (newer) document marks deprecated ----------------------------------


def deprecated_document(tmp_path: Path) -> Path:
    """The shipped 2.24 document with two fields marked deprecated, as a newer one might."""
    document = json.loads((ROOT / "schemas" / "runai-2.24-nim-services.openapi.json").read_text())
    schemas = document["components"]["schemas"]
    secret = schemas["NimServiceNgcAuthSecret"]
    secret["deprecated"] = True
    secret["description"] += " Deprecated: use `imagePullSecrets` instead."
    schemas["NimServicePvcFields"]["properties"]["readOnly"]["deprecated"] = True
    path = tmp_path / "openapi-next.json"
    path.write_text(json.dumps(document))
    return path


def test_a_deprecated_field_is_a_warning_naming_its_replacement(tmp_path):
    openapi = deprecated_document(tmp_path)
    store = "modelStore: {pvc: {existingPvc: true, claimName: m, readOnly: true}}\n"
    text = create("ngcAuthSecret: ngc-secret\n" + store)
    found = findings(text, overrides={"openapi": openapi})
    assert sorted((f.rule, str(f.severity), f.pointer) for f in found) == [
        ("S011", "warning", "/spec/modelStore/pvc/readOnly"),
        ("S011", "warning", "/spec/ngcAuthSecret"),
    ]
    [secret] = [f for f in found if f.pointer == "/spec/ngcAuthSecret"]
    assert "deprecated" in secret.message and "use `imagePullSecrets` instead" in secret.message


def test_an_unset_deprecated_field_is_no_finding(tmp_path):
    openapi = deprecated_document(tmp_path)
    text = create("ngcAuthSecret: null\nmodelStore: {pvc: {existingPvc: true, claimName: m}}\n")
    assert findings(text, overrides={"openapi": openapi}) == []


def test_the_shipped_document_deprecates_nothing():
    assert (
        '"deprecated"'
        not in (ROOT / "schemas" / "runai-2.24-nim-services.openapi.json").read_text()
    )


# --- item 1: a misspelled envelope key does not hide a broken create ----------------------


def test_a_misspelled_metadata_is_a_create_missing_metadata():
    text = CREATE.replace("metadata:", "metdata:")
    found = findings(text)
    assert sorted((f.rule, str(f.severity), f.pointer) for f in found) == [
        ("S006", "error", ""),
        ("S008", "warning", "/metdata"),
    ]
    [unknown] = [f for f in found if f.rule == "S008"]
    assert unknown.message.endswith('did you mean "metadata"?')


@pytest.mark.parametrize(
    ("typo", "meant"), [("Metadata", "metadata"), ("fieldsToRemov", "fieldsToRemove")]
)
def test_root_keys_get_a_did_you_mean_across_every_kind(typo, meant):
    text = CREATE.replace("metadata:", "metadata: {name: llama, projectId: '1'}\nx:", 1)
    text = text.replace('x: {name: llama, projectId: "1"}', f"{typo}: {{}}")
    [unknown] = [f for f in findings(text) if f.rule == "S008"]
    assert unknown.pointer == f"/{typo}"
    assert unknown.message.endswith(f'did you mean "{meant}"?')


def test_the_kind_of_a_near_miss():
    from nimlint.schema.kinds import detect_kind

    spec = {"image": "nvcr.io/nim/meta/llama3:1.0"}
    assert detect_kind({"metdata": {"name": "a", "projectId": "1"}, "spec": spec}) == "create"
    assert detect_kind({"spec": spec}) == "update"
    assert detect_kind({"spce": spec, "fieldsToRemove": ["replicas"]}) == "update"
    assert detect_kind({"metadata": {"name": "a", "projectId": "1"}, "spec": spec}) == "create"


def test_a_document_with_only_spec_stays_an_update():
    [kind] = lint_paths_kinds("spec: {replicas: 2}\n")
    assert kind == "update"


def lint_paths_kinds(text: str) -> list[str]:
    from nimlint.lint import Linter

    linted = Linter(Options(plugins=False, isolated=True)).lint_file(
        text.encode(), "body.yaml", Path.cwd()
    )
    assert linted.findings == []
    return [k.kind for k in linted.kinds]


def test_an_unquoted_octal_where_a_string_is_wanted_is_one_finding():
    """S001 (the value is a number) and its quote-it advice, not also P009."""
    text = create("environmentVariables: [{name: MODE, value: 0755}, {name: T, value: 1:30}]\n")
    assert rules(text) == [
        ("P009", "/spec/environmentVariables/1/value"),  # 1:30 is a string in YAML 1.2
        ("S001", "/spec/environmentVariables/0/value"),
    ]
