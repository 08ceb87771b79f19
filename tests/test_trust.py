"""What a checkout can make nimlint do, through the CLI: config and plugins, output escaping,
the files it writes, workers and Ctrl-C, crashing rules, per-file configuration."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cli import ROOT, nimlint

GOOD = 'metadata: {name: a, projectId: "1"}\nspec: {}\n'
WARNS = 'metadata: {name: a, projectId: "1"}\nspec:\n  replica: 2\n'  # S008, a warning

# A rule module that leaves a mark when imported, so a test can tell it ran.
MARKING_RULES = """
from pathlib import Path
Path({mark!r}).write_text("imported")
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem
RULES = RuleSet()
@RULES.rule("ZZ001", name="always", severity="error", summary="s.", bad="a: 1", good="a: 1")
def always(ctx):
    '''Test rule.'''
    {body}
"""


HOUSE_RULE = """rules:
  - id: HOUSE001
    name: replicas-at-most-four
    severity: warning
    summary: House limit of four replicas.
    rationale: Capacity planning.
    bad: "spec: {replicas: 5}\\n"
    good: "spec: {replicas: 4}\\n"
    check:
      where: /spec
      function: range
      options: {field: replicas, maximum: 4}
"""


def rule_module(path: Path, mark: Path, body: str = "yield Problem('', 'checkout code ran')"):
    path.write_text(MARKING_RULES.format(mark=str(mark), body=body))
    return path


def findings(result) -> list[str]:
    return sorted(f["rule"] for f in json.loads(result.stdout)["findings"])


# --isolated, --no-python-rules, entry points


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checkout whose config ignores S008 and imports its own Python and YAML rules."""
    rule_module(tmp_path / "local_rules.py", tmp_path / "imported")
    (tmp_path / "local.yaml").write_text(HOUSE_RULE)
    (tmp_path / ".nimlint.yaml").write_text(
        "select: [HOUSE, ZZ, S]\nignore: [S008]\nextra-rules: [local_rules.py, local.yaml]\n"
    )
    (tmp_path / "spec.yaml").write_text(WARNS + "  replicas: 7\n")
    return tmp_path


def test_a_checkout_config_imports_its_python_rules_by_default(checkout: Path) -> None:
    run = nimlint("check", "--format", "json", "spec.yaml", cwd=checkout)
    assert findings(run) == ["HOUSE001", "ZZ001"]
    assert (checkout / "imported").exists()


def test_isolated_reads_no_config_and_imports_nothing(checkout: Path) -> None:
    run = nimlint(
        "check", "--isolated", "--select", "S", "--format", "json", "spec.yaml", cwd=checkout
    )
    assert run.returncode == 0, run.stderr
    assert findings(run) == ["S008"]  # the checkout's ignore and rules are not read
    assert not (checkout / "imported").exists()


def test_isolated_with_python_rules_on_the_command_line(checkout: Path) -> None:
    run = nimlint(
        "check",
        "--isolated",
        "--rules",
        "local_rules.py",
        "--format",
        "json",
        "spec.yaml",
        cwd=checkout,
    )
    assert not (checkout / "imported").exists()
    assert b"local_rules.py: Python rule module not imported" in run.stderr


def test_isolated_and_config_together_are_a_usage_error(checkout: Path) -> None:
    run = nimlint("check", "--isolated", "--config", ".nimlint.yaml", "spec.yaml", cwd=checkout)
    assert run.returncode == 2
    assert b"--isolated" in run.stderr


def test_no_python_rules_keeps_config_and_yaml_rules(checkout: Path) -> None:
    run = nimlint("check", "--no-python-rules", "--format", "json", "spec.yaml", cwd=checkout)
    assert findings(run) == ["HOUSE001"]  # the config and its YAML rule are read
    assert not (checkout / "imported").exists()
    assert run.stderr.decode().splitlines() == [
        "nimlint: note: "
        "local_rules.py: Python rule module not imported "
        "(--no-python-rules or --isolated)"
    ]


def test_entry_points_in_the_working_folder_are_not_plugins(tmp_path: Path) -> None:
    rule_module(tmp_path / "acme_rules.py", tmp_path / "imported")
    dist = tmp_path / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "entry_points.txt").write_text("[nimlint.rules]\nacme = acme_rules:RULES\n")
    (tmp_path / "spec.yaml").write_text(GOOD)
    env = {"PYTHONPATH": str(ROOT)}
    run = nimlint("check", "--format", "json", "spec.yaml", cwd=tmp_path, env=env)
    assert "ZZ001" not in findings(run)
    assert not (tmp_path / "imported").exists()


# output injection: one escaping for every format and every error line

INJECTED = "x.yaml\n::error file=y.yaml::injected\x1b[31m\u202e"


@pytest.mark.parametrize("fmt", ["text", "gcc", "github", "json", "sarif", "junit"])
def test_a_file_name_cannot_start_a_line_in_any_format(tmp_path: Path, fmt: str) -> None:
    (tmp_path / INJECTED).write_text(WARNS)
    run = nimlint("check", "--format", fmt, INJECTED, "missing\n::error ::gone", cwd=tmp_path)
    assert run.returncode == 2
    for stream in (run.stdout, run.stderr):
        text = stream.decode()
        assert text.isascii()
        assert not any(line.startswith("::error file=y") for line in text.splitlines())
        assert "::error ::gone" not in text.splitlines()
    assert "nimlint: error: missing\\x0a::error ::gone: no such file or directory" in (
        run.stderr.decode()
    )


def test_invisible_and_bidi_characters_in_keys_and_values_are_shown(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        'metadata: {name: a, projectId: "1"}\nspec:\n  "rep\u200blicas": "\ufeff\u202e2"\n',
        encoding="utf-8",
    )
    for fmt in ("text", "gcc", "github"):
        out = nimlint("check", "--format", fmt, "s.yaml", cwd=tmp_path).stdout.decode()
        assert "rep\\u200blicas" in out
        assert out.isascii()


# the files nimlint writes


def test_output_file_never_overwrites_a_linted_file(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(WARNS)
    (tmp_path / "link.yaml").symlink_to(spec)
    for target in ("spec.yaml", "./link.yaml", str(spec)):
        run = nimlint("check", "--output-file", target, "spec.yaml", cwd=tmp_path)
        assert run.returncode == 2
        assert b"is a file being linted" in run.stderr
        assert spec.read_text() == WARNS
    linted_by_link = nimlint("check", "--output-file", "spec.yaml", "link.yaml", cwd=tmp_path)
    assert linted_by_link.returncode == 2 and spec.read_text() == WARNS


@pytest.mark.parametrize("fmt", ["text", "gcc", "github", "json", "sarif", "junit"])
def test_a_file_name_that_is_not_utf8(tmp_path: Path, fmt: str) -> None:
    name = os.fsdecode(b"bad\xff.yaml")
    (tmp_path / name).write_text(WARNS)
    env = {"LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"}
    args = ("check", "--select", "S008", "--format", fmt)
    run = nimlint(*args, "--output-file", "out", name, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert "udcff.yaml" in (tmp_path / "out").read_text(encoding="utf-8")  # shown as \\udcff
    to_stdout = nimlint(*args, name, cwd=tmp_path, env=env)
    assert to_stdout.returncode == 0 and b"udcff.yaml" in to_stdout.stdout


# workers and Ctrl-C


def test_jobs_is_capped_at_the_cpu_count(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"s{i}.yaml").write_text(GOOD)
    run = nimlint("check", "--jobs", "4096", "--select", "S008", ".", cwd=tmp_path)
    assert run.returncode == 0
    cpus = len(os.sched_getaffinity(0))
    assert (
        run.stderr.decode() == f"nimlint: note: --jobs 4096 lowered to {cpus}, the number of CPUs\n"
    )


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.update(int(p) for p in task.read_text().split())
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_and_leaves_no_worker(tmp_path: Path, jobs: str) -> None:
    # A rule that says it started, then never ends: Ctrl-C comes in the middle of linting.
    body = "Path(f'{ctx.kind}.{os.getpid()}').touch()\n    time.sleep(600)\n    yield"
    rules = rule_module(tmp_path / "slow.py", tmp_path / "imported", body=body)
    rules.write_text("import os, time\n" + rules.read_text())
    for i in range(4):
        (tmp_path / f"s{i}.yaml").write_text(GOOD)
    process = subprocess.Popen(
        [sys.executable, "-m", "nimlint", "check", "--jobs", jobs, "--rules", "slow.py", "."],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell gives a foreground job
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    while len(set(tmp_path.glob("create.*"))) < int(jobs):  # every worker is inside the rule
        assert process.poll() is None
    workers = _children(process.pid)
    assert len(workers) == (0 if jobs == "1" else 2)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert not [pid for pid in workers if _alive(pid)]


# a plugin cannot end the run


@pytest.mark.parametrize("raised", ["SystemExit(0)", "SystemExit", "RuntimeError('boom')"])
def test_a_rule_that_raises_at_check_time_is_an_x002_finding(tmp_path: Path, raised: str) -> None:
    rule_module(tmp_path / "r.py", tmp_path / "imported", body=f"raise {raised}\n    yield")
    (tmp_path / "s.yaml").write_text(GOOD)
    (tmp_path / "t.yaml").write_text(GOOD)
    args = ("check", "--rules", "r.py", "--select", "ZZ,X", "--fail-on", "error")
    for fmt in ("json", "concise"):
        run = nimlint(*args, "--format", fmt, "s.yaml", "t.yaml", cwd=tmp_path)
        assert run.returncode == 1, run.stderr
        findings = run.stdout.split(b'"summary"')[0]  # the JSON summary counts rules too
        assert findings.count(b"X002") == 2  # the report is written, the run went on


def test_a_rule_that_exits_at_import_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text("raise SystemExit(0)\n")
    (tmp_path / "s.yaml").write_text(GOOD)
    run = nimlint("check", "--rules", "r.py", "s.yaml", cwd=tmp_path)
    assert run.returncode == 2
    assert b"r.py: cannot import rule module: SystemExit: 0" in run.stderr


# per-file configuration is per file


def test_fail_on_of_each_file_whatever_the_order(tmp_path: Path) -> None:
    for folder in ("strict", "lax"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "s.yaml").write_text(WARNS)
    (tmp_path / "strict" / ".nimlint.yaml").write_text("fail-on: warning\n")
    for order in (["strict", "lax"], ["lax", "strict"]):
        for jobs in ("1", "2"):
            paths = [f"{folder}/s.yaml" for folder in order]
            run = nimlint("check", "--select", "S008", "--jobs", jobs, *paths, cwd=tmp_path)
            assert run.returncode == 1, (order, jobs)
    lax_only = nimlint("check", "--select", "S008", "lax/s.yaml", cwd=tmp_path)
    assert lax_only.returncode == 0


def test_per_file_ignores_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "deploy" / "legacy").mkdir(parents=True)
    (tmp_path / "deploy" / "legacy" / "s.yaml").write_text(WARNS)
    (tmp_path / ".nimlint.yaml").write_text("per-file-ignores:\n  'deploy/legacy/*': [S008]\n")
    for cwd, path in [(tmp_path, "deploy/legacy/s.yaml"), (tmp_path / "deploy", "legacy/s.yaml")]:
        run = nimlint("check", "--select", "S008", "--format", "json", path, cwd=cwd)
        assert findings(run) == [], cwd


def test_a_worker_killed_mid_run_is_one_error_line(tmp_path: Path) -> None:
    # The out-of-memory killer, say: the worker never sends its results.
    body = "os.kill(os.getpid(), signal.SIGKILL)\n    yield"
    rules = rule_module(tmp_path / "die.py", tmp_path / "imported", body=body)
    rules.write_text("import os, signal\n" + rules.read_text())
    for i in range(4):
        (tmp_path / f"s{i}.yaml").write_text(GOOD)
    run = nimlint("check", "--jobs", "2", "--rules", "die.py", ".", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.decode() == (
        "nimlint: internal error: RuntimeError: a worker process was killed by signal SIGKILL "
        "before it sent its results (please report this)\n"
    )


def test_workers_stop_taking_files_when_the_run_is_killed(tmp_path: Path) -> None:
    # SIGKILL of nimlint itself (a CI job cancelled): nobody will read what the workers find,
    # so each ends after the chunk it is on instead of linting every file; and its reply, more
    # than a pipe holds, meets no reader (a worker held the others' pipes open: it waited).
    body = (
        "Path(f'done.{os.getpid()}.{time.time_ns()}').touch()\n    time.sleep(0.1)\n"
        "    for i in range(300):\n        yield Problem(f'/spec/x{i}', 'y' * 200)"
    )
    rules = rule_module(tmp_path / "slow.py", tmp_path / "imported", body=body)
    rules.write_text("import os, time\n" + rules.read_text())
    for i in range(100):
        (tmp_path / f"s{i:03}.yaml").write_text(GOOD)
    process = subprocess.Popen(
        [sys.executable, "-m", "nimlint", "check", "--jobs", "2", "--rules", "slow.py", "."],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while len(list(tmp_path.glob("done.*"))) < 2:
        assert process.poll() is None
    workers = _children(process.pid)
    assert len(workers) == 2
    process.kill()
    process.wait()
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)]
    assert len(list(tmp_path.glob("done.*"))) < 100  # chunks of 13: at most a few more


def _lint_with(tmp_path: Path, body: str, *args: str, preexec_fn=None, files: int = 120):
    """``nimlint check --jobs 2 --rules r.py`` on ``files`` good files, a rule with ``body``."""
    rules = rule_module(tmp_path / "r.py", tmp_path / "imported", body=body)
    rules.write_text("import os, sys, time\n" + rules.read_text())
    (tmp_path / "specs").mkdir(exist_ok=True)
    for i in range(files):
        (tmp_path / "specs" / f"s{i:03}.yaml").write_text(GOOD)
    command = [sys.executable, "-m", "nimlint", "check", "--rules", "r.py", *args, "specs"]
    return subprocess.run(  # 30 s: what a helper process holding a pipe would make it wait
        command, cwd=tmp_path, capture_output=True, timeout=30, preexec_fn=preexec_fn
    )


@pytest.mark.parametrize("closed", [1, 2])
def test_workers_with_a_closed_standard_stream(tmp_path: Path, closed: int) -> None:
    # Started with stdout or stderr closed (`>&-`, `2>&-`): Python has None for it, and the
    # report still goes to its file, as with one process.
    runs = [
        _lint_with(
            tmp_path,
            "yield Problem('', 'found')",
            "--jobs",
            jobs,
            "--format",
            "json",
            "--output-file",
            f"report{jobs}.json",
            preexec_fn=lambda: os.close(closed),
        )
        for jobs in ("1", "2")
    ]
    assert [run.returncode for run in runs] == [1, 1], runs[1].stderr
    assert (tmp_path / "report1.json").read_bytes() == (tmp_path / "report2.json").read_bytes()


def test_a_process_a_rule_leaves_running_does_not_hold_the_run(tmp_path: Path) -> None:
    # A rule that starts a helper process (a daemon, a cache server) which outlives the worker
    # and holds a copy of its reply pipe: the run ends when the worker's reply is read.
    body = (
        "global STARTED\n    if not globals().get('STARTED'):\n        STARTED = True\n"
        "        if os.fork() == 0:\n            os.close(0); os.close(1); os.close(2)\n"
        "            Path(f'helper.{os.getpid()}').touch()\n"
        "            time.sleep(120)\n            os._exit(0)\n    yield Problem('', 'found')"
    )
    try:
        run = _lint_with(tmp_path, body, "--jobs", "2")
        assert run.returncode == 1, run.stderr
        assert run.stdout.count(b"found") == 120
    finally:
        for mark in tmp_path.glob("helper.*"):
            os.kill(int(mark.suffix[1:]), signal.SIGKILL)


def test_a_rule_that_forks_a_second_worker_is_an_error_not_lost_files(tmp_path: Path) -> None:
    # The forked copy goes on linting and replies too, on the same pipe: what the parent reads
    # must cover every file, or the run is an error (it reported 50 files of 200).
    body = (
        "global FORKED\n    if not globals().get('FORKED'):\n        FORKED = True\n"
        "        os.fork()\n    yield Problem('', 'found')"
    )
    run = _lint_with(tmp_path, body, "--jobs", "2", "--format", "json", files=200)
    if run.returncode != 2:  # the worker's own reply came first: every file, once
        assert run.returncode == 1 and run.stdout.count(b'"found"') == 200, run.stderr
    else:
        assert b"internal error" in run.stderr and b"Traceback" not in run.stderr
