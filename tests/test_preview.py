"""PATCH preview through the command line: `nimlint check --base` and `nimlint effective`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.test_cli import nimlint

PREVIEW = Path(__file__).parent / "fixtures" / "preview"
RUNNING = PREVIEW / "running.yaml"  # single node: portion 0.5, cpuMemoryRequest 16Gi, replicas 2
MULTINODE = PREVIEW / "multinode.yaml"  # multiNode.workers 2, a PVC the service created


def check(tmp_path: Path, update: str, base: Path = RUNNING, *args: str) -> tuple[int, list]:
    path = tmp_path / "update.yaml"
    path.write_text(update)
    done = nimlint("check", "--format", "json", "--base", str(base), *args, str(path))
    assert done.stderr == b"", done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


def effective(tmp_path: Path, update: str, base: Path = RUNNING) -> dict:
    path = tmp_path / "update.yaml"
    path.write_text(update)
    done = nimlint("effective", "--format", "json", "--base", str(base), str(path))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def brief(findings: list) -> list[tuple]:
    return [(f["rule"], f["line"], f["column"], f["pointer"]) for f in findings]


def test_lowered_limit_is_reported_at_the_update_field_naming_the_base_line(tmp_path):
    code, findings = check(tmp_path, "spec:\n  compute:\n    cpuMemoryLimit: 8Gi\n")
    assert code == 1
    assert brief(findings) == [("R002", 3, 21, "/spec/compute/cpuMemoryLimit")]
    message = findings[0]["message"]
    assert "(8Gi) must be >= spec.compute.cpuMemoryRequest (16Gi)" in message
    assert f'(base {RUNNING}:13: spec.compute.cpuMemoryRequest "16Gi")' in message


def test_the_same_update_alone_is_clean(tmp_path):
    path = tmp_path / "update.yaml"
    path.write_text("spec:\n  compute:\n    cpuMemoryLimit: 8Gi\n")
    assert nimlint("check", str(path)).returncode == 0


def test_gpu_count_against_the_running_portion_goes_to_the_nearest_parent(tmp_path):
    update = "spec:\n  image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.4\n  compute:\n" + (
        "    gpuDevicesRequest: 2\n"
    )
    code, findings = check(tmp_path, update)
    assert code == 1
    assert brief(findings) == [("G007", 3, 3, "/spec/compute")]
    assert f"base {RUNNING}:12: spec.compute.gpuPortionRequest 0.5" in findings[0]["message"]


def test_autoscaling_added_to_a_multi_node_service(tmp_path):
    update = (
        "spec:\n  autoscaling:\n    minReplicas: 1\n    maxReplicas: 3\n"
        "    metric: num_requests_running\n    metricThreshold: 8\n"
    )
    code, findings = check(tmp_path, update, MULTINODE)
    assert code == 1
    assert brief(findings) == [("A004", 2, 3, "/spec/autoscaling")]
    assert f"base {MULTINODE}:11: spec.multiNode.workers 2" in findings[0]["message"]
    # adding autoscaling removed the running replicas, so A003 has nothing to say
    assert "replicas" not in effective(tmp_path, update, MULTINODE)["spec"]


def test_fields_to_remove_then_re_adding_replaces_the_whole_field(tmp_path):
    readd = "spec:\n  compute:\n    gpuDevicesRequest: 2\nfieldsToRemove: [compute]\n"
    assert effective(tmp_path, readd)["spec"]["compute"] == {"gpuDevicesRequest": 2}
    # no G007: the running portion went with the removed compute (U001 still warns)
    assert [f["rule"] for f in check(tmp_path, readd)[1]] == ["U001"]
    merged = effective(tmp_path, "spec:\n  compute:\n    gpuDevicesRequest: 2\n")
    assert merged["spec"]["compute"]["gpuPortionRequest"] == 0.5


def test_removed_field_is_gone_and_null_keeps_the_base(tmp_path):
    merged = effective(tmp_path, "spec:\n  replicas: null\nfieldsToRemove: [tolerations]\n")
    assert "tolerations" not in merged["spec"] and merged["spec"]["replicas"] == 2


def test_replicas_and_autoscaling_swap_both_ways(tmp_path):
    autoscale = (
        "spec:\n  autoscaling:\n    minReplicas: 1\n    maxReplicas: 4\n"
        "    metric: num_requests_running\n    metricThreshold: 8\n"
    )
    merged = effective(tmp_path, autoscale)
    assert "replicas" not in merged["spec"] and merged["spec"]["autoscaling"]["maxReplicas"] == 4
    assert check(tmp_path, autoscale) == (0, [])
    autoscaled = tmp_path / "autoscaled.json"
    autoscaled.write_text(json.dumps(merged))
    back = effective(tmp_path, "spec:\n  replicas: 3\n", autoscaled)
    assert back["spec"]["replicas"] == 3 and "autoscaling" not in back["spec"]


def test_findings_only_in_the_base_are_not_repeated(tmp_path):
    base = tmp_path / "running.yaml"
    base.write_text(RUNNING.read_text().replace(":1.3.3", ":latest"))
    assert "I003" in nimlint("check", "--kind", "create", str(base)).stdout.decode()
    # desiredPhase (S008 under a create body) and the :latest tag are the base's own findings
    assert check(tmp_path, "spec:\n  replicas: 3\n", base) == (0, [])
    _code, findings = check(tmp_path, "spec:\n  image: nvcr.io/nim/meta/llama:latest\n", base)
    assert brief(findings) == [("I003", 2, 10, "/spec/image")]


def test_update_problems_of_its_own_are_reported_once(tmp_path):
    _code, findings = check(tmp_path, "spec:\n  replicas: -1\n")
    assert brief(findings) == [("S004", 2, 13, "/spec/replicas")]


def test_immutable_multi_node_and_created_pvc(tmp_path):
    update = "spec:\n  multiNode:\n    workers: 3\nfieldsToRemove: [modelStore]\n"
    _code, findings = check(tmp_path, update, MULTINODE)
    assert brief(findings) == [
        ("B001", 3, 14, "/spec/multiNode/workers"),
        ("B002", 4, 18, "/fieldsToRemove/0"),
    ]
    assert all("delete the NIM service and create it again" in f["message"] for f in findings)
    assert check(tmp_path, "spec:\n  multiNode:\n    workers: 2\n", MULTINODE) == (0, [])


def test_immutable_fields_compare_as_json_data(tmp_path):
    """2.0 is the running 2 (no B001); 1 is not the running true (B002, beside S001)."""
    assert check(tmp_path, "spec:\n  multiNode:\n    workers: 2.0\n", MULTINODE) == (0, [])
    update = "spec:\n  modelStore:\n    pvc:\n      claimInfo:\n        accessModes:\n"
    _code, findings = check(tmp_path, update + "          readWriteMany: 1\n", MULTINODE)
    assert [f["rule"] for f in findings] == ["B002", "S001"]


def test_a_missing_base_is_an_error_even_when_no_update_needs_it(tmp_path):
    spec = tmp_path / "create.yaml"
    spec.write_text(RUNNING.read_text())
    done = nimlint("check", "--kind", "create", "--base", str(tmp_path / "typo.yaml"), str(spec))
    assert done.returncode == 2
    assert b"typo.yaml" in done.stderr and b"does not exist" in done.stderr


def test_a_mounted_existing_pvc_may_change(tmp_path):
    base = tmp_path / "existing.yaml"
    base.write_text(
        MULTINODE.read_text().replace("    pvc:\n", "    pvc:\n      existingPvc: true\n")
    )
    update = "spec:\n  modelStore:\n    pvc:\n      claimInfo:\n        size: 2Ti\n"
    assert check(tmp_path, update, base) == (0, [])
    assert brief(check(tmp_path, update, MULTINODE)[1]) == [
        ("B002", 5, 15, "/spec/modelStore/pvc/claimInfo/size")
    ]


def test_bad_base_is_exit_2_naming_it(tmp_path):
    update = tmp_path / "update.yaml"
    update.write_text("spec:\n  replicas: 3\n")
    broken, create = tmp_path / "broken.yaml", tmp_path / "update-as-base.yaml"
    broken.write_text("spec: [\n")
    create.write_text("spec:\n  replicas: 1\n")
    for base, words in ((broken, "not valid YAML/JSON"), (create, "not a NIM service body")):
        for command in (("check",), ("effective",)):
            done = nimlint(*command, "--base", str(base), str(update))
            assert done.returncode == 2
            assert str(base) in done.stderr.decode() and words in done.stderr.decode()


def test_a_base_that_is_a_fifo_is_refused_at_once(tmp_path):
    update = tmp_path / "update.yaml"
    update.write_text("spec:\n  replicas: 3\n")
    fifo = tmp_path / "running.yaml"
    os.mkfifo(fifo)
    (tmp_path / ".nimlint.yaml").write_text("bases: {'*': running.yaml}\n")
    done = nimlint("check", str(update))
    assert done.returncode == 2 and b"running.yaml: base is not a regular file" in done.stderr


def test_bases_config_maps_update_folders_to_their_service(tmp_path):
    updates = tmp_path / "deploy" / "llama" / "updates"
    updates.mkdir(parents=True)
    (tmp_path / "deploy" / "llama" / "running.yaml").write_text(RUNNING.read_text())
    (tmp_path / ".nimlint.yaml").write_text(
        'bases: {"deploy/llama/updates/*": deploy/llama/running.yaml}\n'
    )
    (updates / "lower.yaml").write_text("spec:\n  compute:\n    cpuMemoryLimit: 8Gi\n")
    done = nimlint("check", "--format", "json", "deploy/llama/updates", cwd=tmp_path)
    assert brief(json.loads(done.stdout)["findings"]) == [
        ("R002", 3, 21, "/spec/compute/cpuMemoryLimit")
    ]


def test_effective_prints_yaml(tmp_path):
    path = tmp_path / "update.yaml"
    path.write_text("spec:\n  replicas: 4\n")
    done = nimlint("effective", "--base", str(RUNNING), str(path))
    assert done.returncode == 0
    assert yaml.safe_load(done.stdout)["spec"]["replicas"] == 4


def test_plain_check_does_not_import_the_preview_code():
    code = (
        "import sys\n"
        "from nimlint.cli import main\n"  # the console entry would end the process at once
        "sys.argv = ['nimlint', 'check', 'examples/llama3-8b-instruct.yaml']\n"
        "try:\n    main()\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('nimlint.effective')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=Path.cwd())
    assert done.stdout.decode().splitlines()[-1] == "[]"


def test_effective_output_never_carries_control_characters(tmp_path):
    base = tmp_path / "running.json"
    body = yaml.safe_load(RUNNING.read_text())
    body["spec"]["image"] = "evil\x1b[2J\u202e\x85name"
    base.write_text(json.dumps(body))
    path = tmp_path / "update.yaml"
    path.write_text("spec:\n  replicas: 4\n")
    for fmt in ("yaml", "json"):
        done = nimlint("effective", "--format", fmt, "--base", str(base), str(path))
        assert done.returncode == 0
        text = done.stdout.decode("ascii")  # non-ASCII is escaped too
        assert "\x1b" not in text
        assert "\\e[2J" in text or "\\u001b[2J" in text


def test_each_document_of_an_update_stream_is_previewed_as_itself():
    from nimlint.lint import Linter, Options

    stream = b"spec:\n  replicas: 3\n---\nspec:\n  compute:\n    cpuMemoryLimit: 8Gi\n"
    findings = Linter(Options(base=RUNNING)).lint_bytes(stream, "updates.yaml", Path("."))
    assert [(f.rule, f.line, f.document) for f in findings] == [("R002", 6, 1)]
