"""Rules and messages through the command line: new rules, one problem one finding, and
messages that teach the fix."""

from __future__ import annotations

from pathlib import Path

from test_cli import nimlint

HEAD = 'metadata: {name: llama, projectId: "1"}\n'


def gcc(tmp_path: Path, text: str, *args: str, name: str = "spec.yaml") -> list[str]:
    """The gcc lines of linting ``text`` (without the file name)."""
    spec = tmp_path / name
    spec.write_text(text)
    out = nimlint("check", "--format", "gcc", *args, str(spec)).stdout.decode()
    return [line.removeprefix(f"{spec}:") for line in out.splitlines()]


def test_autoscaling_that_cannot_scale_names_both_values(tmp_path: Path) -> None:
    unset = HEAD + "spec:\n  autoscaling: {minReplicas: 2, metric: m, metricThreshold: 1}\n"
    assert gcc(tmp_path, unset, "--select", "A005") == [
        "3:3: warning: spec.autoscaling cannot scale: maxReplicas is not set, so it defaults "
        "to minReplicas 2 and the service stays at 2 replicas; set maxReplicas above 2 [A005]"
    ]
    equal = HEAD + "spec:\n  autoscaling: {minReplicas: 3, maxReplicas: 3}\n"
    [line] = gcc(tmp_path, equal, "--select", "A005")
    assert "maxReplicas 3 equals minReplicas 3" in line
    scales = HEAD + "spec:\n  autoscaling: {minReplicas: 1, maxReplicas: 3}\n"
    assert gcc(tmp_path, scales, "--select", "A005") == []


def test_nim_cache_name_must_be_an_object_name(tmp_path: Path) -> None:
    bad = HEAD + "spec:\n  modelStore: {nimCache: {name: My_Cache}}\n"
    [line] = gcc(tmp_path, bad, "--select", "M007")
    assert line.startswith('3:33: warning: spec.modelStore.nimCache.name "My_Cache" is not')
    good = HEAD + "spec:\n  modelStore: {nimCache: {name: my-cache}}\n"
    assert gcc(tmp_path, good, "--select", "M007") == []


def test_one_problem_one_finding(tmp_path: Path) -> None:
    empty = HEAD + 'spec:\n  modelStore:\n    pvc: {claimInfo: {size: 1Gi, storageClass: ""}}\n'
    assert gcc(tmp_path, empty, "--select", "S") == [
        "4:48: error: spec.modelStore.pvc.claimInfo.storageClass must not be empty "
        "(at least 1 character) [S005]"
    ]
    # The same for any field with a length and a pattern: the empty secret name.
    secret = HEAD + 'spec:\n  environmentVariables:\n    - {name: A, secret: {name: "", key: k}}\n'
    assert [line.split(" [")[-1] for line in gcc(tmp_path, secret, "--select", "S")] == ["S005]"]


def test_number_or_boolean_where_a_string_is_wanted_suggests_quoting(tmp_path: Path) -> None:
    text = "metadata: {name: llama, projectId: 12}\nspec: {image: true}\n"
    assert gcc(tmp_path, text, "--select", "S001") == [
        '1:36: error: metadata.projectId must be a string, not integer 12; quote it: "12" [S001]',
        '2:15: error: spec.image must be a string (or null), not boolean true; quote it: "true" '
        "[S001]",
    ]


def test_yes_in_a_boolean_field_says_write_true(tmp_path: Path) -> None:
    text = HEAD + "spec:\n  servingPort: {port: 8000, exposeExternally: on}\n"
    [line] = gcc(tmp_path, text, "--select", "S001")
    assert line.endswith("(on is a string in YAML 1.2, not a boolean); write true [S001]")


def test_tab_indentation_is_named(tmp_path: Path) -> None:
    [line] = gcc(tmp_path, HEAD + "spec:\n\treplicas: 1\n")
    assert line == "3:1: error: YAML cannot be indented with tabs: indent with spaces [P001]"


def test_json_trailing_comma_is_named_and_pointed_at(tmp_path: Path) -> None:
    text = '{\n  "spec": {\n    "replicas": 1,\n  }\n}\n'
    [line] = gcc(tmp_path, text, name="spec.json")
    assert line == (
        "3:18: error: JSON syntax error: trailing comma before '}' "
        "(JSON allows no comma after the last item; remove it) [P001]"
    )


def test_duplicate_key_names_the_first_line(tmp_path: Path) -> None:
    text = HEAD + "spec:\n  replicas: 1\n  image: x\n  replicas: 2\n"
    [line] = gcc(tmp_path, text, "--select", "P002")
    assert (
        line == "5:3: error: duplicate key 'replicas' (first at line 3); the last value wins [P002]"
    )


def test_unknown_key_that_belongs_elsewhere_names_its_place(tmp_path: Path) -> None:
    text = HEAD + "spec:\n  gpuDevicesRequest: 1\n  compute: {replicas: 2}\n"
    assert gcc(tmp_path, text, "--select", "S008") == [
        '3:3: warning: unknown key "gpuDevicesRequest" in spec: gpuDevicesRequest belongs under '
        "spec.compute [S008]",
        '4:13: warning: unknown key "replicas" in spec.compute: replicas belongs under spec [S008]',
    ]


# --- P008: say who reads a word as a boolean ------------------------------------------------


def _p008(tmp_path: Path, word: str) -> str:
    import json

    spec = tmp_path / "spec.yaml"
    spec.write_text(f"spec:\n  environmentVariables:\n    - name: A\n      value: {word}\n")
    result = nimlint("check", "--select", "P008", "--format", "json", "spec.yaml", cwd=tmp_path)
    [finding] = json.loads(result.stdout)["findings"]
    return finding["message"]


def test_p008_does_not_say_pyyaml_reads_y_as_a_boolean(tmp_path: Path) -> None:
    import yaml

    assert yaml.safe_load("a: y")["a"] == "y" and yaml.safe_load("a: yes")["a"] is True
    message = _p008(tmp_path, "y")
    assert "PyYAML" not in message, message
    assert "YAML 1.1 lists it as boolean true" in message, message
    assert "PyYAML" in _p008(tmp_path, "yes")  # which PyYAML does read as true
