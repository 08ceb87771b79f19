"""A bug nimlint meets in one file ends that file's lint, not the run: every other file is still
linted, fixed and reported (CI uploads JSON and SARIF: one such file must not blind it), the
file is named on stderr, and the exit code is 2 (a file that could not be linted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# nimlint's entry point, with a bug planted in the pipeline for files named *boom*.
SCRIPT = """
import sys
import nimlint.pipeline as pipeline
real = pipeline.lint_document
def broken(doc, setup, layers, name, *rest):
    if "boom" in name:
        raise ValueError("max() arg is an empty sequence")
    return real(doc, setup, layers, name, *rest)
pipeline.lint_document = broken
sys.argv = ["nimlint", *sys.argv[1:]]
from nimlint.console import main
main()
"""
GOOD = (
    'metadata: {name: a, projectId: "1"}\n'
    "spec:\n"
    "  image: nvcr.io/nim/meta/llama3:1.0.0\n"
    "  environmentVariables:\n"
    "    - {name: A, value: 5}\n"
)


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, cwd=tmp_path
    )


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    (tmp_path / "a-boom.yaml").write_text(GOOD)
    (tmp_path / "good.yaml").write_text(GOOD)
    return ["a-boom.yaml", "good.yaml"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_other_files_are_reported(tmp_path: Path, files: list[str], jobs: str) -> None:
    result = run(tmp_path, "check", "--jobs", jobs, "--format", "sarif", *files)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "nimlint: error: a-boom.yaml: not linted: internal error: ValueError: max() arg is an "
        "empty sequence (please report it)"
    ]
    run_log = json.loads(result.stdout)["runs"][0]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_log["results"]
    }
    assert uris == {"good.yaml"}
    notices = run_log["invocations"][0]["toolExecutionNotifications"]
    assert "a-boom.yaml: not linted: internal error" in notices[0]["message"]["text"]


def test_the_other_files_are_fixed_and_that_one_is_left_as_it_is(
    tmp_path: Path, files: list[str]
) -> None:
    result = run(tmp_path, "check", "--fix", *files)
    assert result.returncode == 2, result.stderr
    assert '{name: A, value: "5"}' in (tmp_path / "good.yaml").read_text()
    assert (tmp_path / "a-boom.yaml").read_text() == GOOD


def test_an_editor_buffer_comes_back_whole(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, "check", "--fix", "--stdin-filename", "boom.yaml", "-"],
        input=GOOD,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stdout == GOOD
    assert "not linted: internal error" in result.stderr


def test_a_file_that_meets_a_bug_is_not_called_skipped(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "boom.yaml").write_text(GOOD)
    result = run(tmp_path, "check", "deploy")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(
        "nimlint: error: deploy/boom.yaml: not linted: internal error: ValueError"
    )
    assert "skipped" not in result.stderr


def test_a_bad_base_still_stops_the_run_with_its_own_error(tmp_path: Path) -> None:
    """A --base is read when an update first needs it, inside the per-file guard: its error is
    the user's to fix, once, and nothing is linted or fixed (not a bug to report per file)."""
    (tmp_path / "broken.yaml").write_text("spec: [\n")
    (tmp_path / "update.yaml").write_text("spec:\n  replicas: 3\n")
    (tmp_path / "update2.yaml").write_text("spec:\n  replicas: 4\n")
    (tmp_path / "create.yaml").write_text(GOOD)
    files = ["create.yaml", "update.yaml", "update2.yaml"]
    for jobs in ("1", "2"):
        args = ["check", "--fix", "--jobs", jobs, "--base", "broken.yaml", *files]
        result = subprocess.run(
            [sys.executable, "-m", "nimlint", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert result.returncode == 2
        errors = result.stderr.splitlines()
        assert len(errors) == 1 and errors[0].startswith("nimlint: error: broken.yaml:"), errors
        assert "internal error" not in result.stderr
        assert (tmp_path / "create.yaml").read_text() == GOOD  # nothing written
