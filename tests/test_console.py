"""The ``nimlint`` process (nimlint/console.py): what its fast start and fast exit must keep."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nimlint import cli, console

SPEC = 'metadata: {name: a, projectId: "1"}\nspec:\n  replicas: 1\n'

# A Python rule that reports whether the cyclic garbage collector runs while rules check,
# registers an atexit handler, as a plugin may (to write a cache, say), and prints with print(),
# which buffers when stdout is a pipe.
PLUGIN = """
import atexit, gc
from pathlib import Path
print("plugin loaded")
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem
atexit.register(lambda: Path("atexit-ran").write_text("yes"))
RULES = RuleSet()
@RULES.rule("ZZ001", name="gc-state", severity="warning", summary="s.", bad="a: 1", good="a: 1")
def gc_state(ctx):
    '''Test rule.'''
    yield Problem("", f"gc enabled: {gc.isenabled()}")
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # pipes buffer
    return subprocess.run(
        [sys.executable, "-m", "nimlint", *args], capture_output=True, cwd=cwd, env=env, timeout=120
    )


def test_atexit_runs_prints_are_flushed_and_the_collector_is_on(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text(PLUGIN)
    (tmp_path / "s.yaml").write_text(SPEC)
    args = ("--rules", "r.py", "--select", "ZZ", "--format", "concise", "--output-file", "out")
    result = run("check", *args, "s.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"plugin loaded\n"  # nothing else wrote to stdout and flushed it
    assert "gc enabled: True" in (tmp_path / "out").read_text()
    assert (tmp_path / "atexit-ran").read_text() == "yes"


def test_a_report_larger_than_a_pipe_buffer_arrives_whole(tmp_path: Path) -> None:
    names = "".join(f"    - name: bad name {i}\n      value: x\n" for i in range(900))
    for n in range(4):  # at most 1,000 findings of a file are reported
        (tmp_path / f"s{n}.yaml").write_text(SPEC + "  environmentVariables:\n" + names)
    result = run("check", "--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert len(result.stdout) > 1 << 20
    assert len(json.loads(result.stdout)["findings"]) >= 3000


def test_importing_nimlint_leaves_the_collector_alone() -> None:
    code = "import gc, nimlint.cli, nimlint.lint; print(gc.isenabled())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("code", "status", "printed"),
    [(None, 0, ""), (0, 0, ""), (2, 2, ""), (256 + 1, 1, ""), ("bad thing", 1, "bad thing\n")],
)
def test_exit_status_is_what_sys_exit_gives(code, status, printed, capsys) -> None:
    assert console._exit_status(code) == status
    assert capsys.readouterr().err == printed


def test_the_exit_codes_are_the_cli_ones() -> None:
    assert (console.EXIT_USAGE, console.EXIT_INTERRUPTED) == (cli.EXIT_USAGE, cli.EXIT_INTERRUPTED)


def test_a_missing_dependency_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\nsys.modules['click'] = None  # as if it were not installed\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "nimlint", "check", "x.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("nimlint: error: cannot start: ")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_report_that_cannot_be_written_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("metadata: {name: a, projectId: 1}\nspec: {}\n")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "nimlint", "check", "s.yaml"],
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        "nimlint: error: cannot write the report: [Errno 28] No space left on device"
    ]


def test_python_m_does_not_import_a_checkouts_modules(tmp_path: Path) -> None:
    """A checkout's yaml.py or click.py must not stand in for nimlint's dependencies."""
    for name in ("yaml", "click", "jsonschema_rs", "pathlib", "json"):
        (tmp_path / f"{name}.py").write_text("open('shadowed', 'a').write(__name__ + '\\n')\n")
    (tmp_path / "s.yaml").write_text(SPEC)
    result = run("check", "--format", "concise", "s.yaml", cwd=tmp_path)
    assert result.returncode in (0, 1) and b"s.yaml" in result.stdout, result.stderr
    assert not (tmp_path / "shadowed").exists()
