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
