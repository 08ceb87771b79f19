"""The GitHub Action (action.yml) and the README's first command, run as a runner would."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BAD = 'metadata: {name: llama, projectId: "1"}\nspec:\n  replicas: -1\n'
GOOD = (ROOT / "examples" / "llama3-8b-instruct.yaml").read_text("utf-8")
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def _substitute(text: str, context: dict[str, str]) -> str:
    """Evaluate the ``${{ name }}`` expressions the action uses (unknown ones fail)."""
    return EXPRESSION.sub(lambda m: context[m[1]], text)


def run_action(
    workspace: Path, runner_temp: Path, fork: str = "", **inputs: str
) -> subprocess.CompletedProcess:
    """Run every step of action.yml with bash, as a composite action runs, in ``workspace``
    (``fork``: "true" for a pull request from a fork, "" for a push)."""
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    context = {
        "github.action_path": str(ROOT),
        "github.event.pull_request.head.repo.fork": fork,
    }
    for name, spec in action["inputs"].items():
        context[f"inputs.{name}"] = inputs.get(name.replace("-", "_"), spec.get("default", ""))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "NIMLINT_"))}
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_ACTION_PATH=str(ROOT),
        RUNNER_TEMP=str(runner_temp),
    )
    result = None
    installed = (runner_temp / "nimlint-venv" / "bin" / "nimlint").exists()
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        if installed and step["name"] == "Install nimlint":
            continue  # installed by an earlier run of the module (the first test installs it)
        step_env = {**env, **{k: _substitute(v, context) for k, v in step.get("env", {}).items()}}
        assert "${{" not in step["run"], "inputs must reach the script through env"
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            return result
    return result


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory) -> Path:
    """One RUNNER_TEMP for the module's runs: the action's virtualenv is installed once."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.mark.slow
def test_action_installs_from_its_checkout_and_annotates(tmp_path: Path, runner_temp: Path) -> None:
    workspace, temp = tmp_path / "repo", runner_temp
    (workspace / "deploy nim").mkdir(parents=True)
    (workspace / "deploy nim" / "bad.yaml").write_text(BAD)
    (workspace / "deploy nim" / "good.yaml").write_text(GOOD)
    result = run_action(
        workspace,
        temp,
        paths="deploy nim/bad.yaml\n\ndeploy nim/good.yaml\n",
        args="--select S --fail-on error",
        sarif_file="nimlint.sarif",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "::error file=deploy nim/bad.yaml,line=3,col=13,endLine=3,endColumn=15,title=S004"
        "::spec.replicas must be at least 0; got -1"
    ]
    sarif = json.loads((workspace / "nimlint.sarif").read_text("utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["S004"]
    assert (temp / "nimlint-venv" / "bin" / "nimlint").exists()  # the runner's Python untouched
    clean = run_action(workspace, temp, paths="deploy nim/good.yaml")
    assert (clean.returncode, clean.stdout) == (0, "")


def _readme_first_command() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, re.S)[1]
    return block.splitlines()[0].split("  #")[0].strip()


def test_readme_first_command_installs_into_a_virtualenv() -> None:
    command = _readme_first_command()
    assert command.startswith("python3 -m venv .venv && ")
    # PEP 668: no pip outside the virtualenv (Debian and Ubuntu's system pip refuses).
    assert re.findall(r"\S*pip\b", command) == [".venv/bin/pip"]


@pytest.mark.slow
def test_readme_first_command_works_in_a_fresh_copy(tmp_path: Path) -> None:
    copy = tmp_path / "nimlint"
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".*_cache", ".hypothesis")
    shutil.copytree(ROOT, copy, ignore=ignore)
    result = subprocess.run(
        ["bash", "-c", _readme_first_command()],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout


def test_docs_action_snippet_uses_the_action_inputs() -> None:
    readme = (ROOT / "docs" / "integrations.md").read_text("utf-8")
    [block] = [
        b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "uses: nimlint/nimlint@" in b
    ]
    steps = yaml.safe_load(block)["jobs"]["nimlint"]["steps"]
    [step] = [s for s in steps if s.get("uses", "").startswith("nimlint/nimlint@")]
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert set(step["with"]) <= set(action["inputs"])
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == step["with"]["sarif-file"]


# nimlint's own side of issue 23 item 9: a SARIF report asked for exists even on exit 2


def _valid_sarif(path: Path) -> dict:
    """The SARIF log at ``path``, checked against the OASIS schema when it is at hand."""
    from test_report_formats import SARIF_SCHEMA, _sarif_validator

    log = json.loads(path.read_text("utf-8"))
    assert log["version"] == "2.1.0" and log["runs"][0]["tool"]["driver"]["name"] == "nimlint"
    if SARIF_SCHEMA.is_file():
        assert not list(_sarif_validator().iter_errors(log))
    return log


@pytest.mark.parametrize(
    ("setup", "args", "error"),
    [
        (".nimlint.yaml", ["spec.yaml"], "unknown key 'selct'"),
        ("", ["spec.yaml", "missing.yaml"], "missing.yaml: no such file or directory"),
        ("", ["--policy", "nope.yaml", "spec.yaml"], "nope.yaml"),
    ],
)
def test_a_sarif_report_is_written_when_nimlint_exits_2(
    tmp_path: Path, setup: str, args: list[str], error: str
) -> None:
    from test_cli import nimlint

    (tmp_path / "spec.yaml").write_text(GOOD)
    if setup:
        (tmp_path / setup).write_text("selct: [S]\n")
    run = nimlint("check", "--format", "sarif", "--output-file", "out.sarif", *args, cwd=tmp_path)
    assert run.returncode == 2
    [invocation] = _valid_sarif(tmp_path / "out.sarif")["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert error in note["message"]["text"] and note["level"] == "error"


# issue 23 item 9 and issue 19 item 16: quoted args, usage errors, forks


@pytest.mark.slow
def test_action_splits_args_like_a_shell_and_evaluates_nothing(
    tmp_path: Path, runner_temp: Path
) -> None:
    workspace = tmp_path / "repo"
    (workspace / "deploy nim").mkdir(parents=True)
    (workspace / "deploy nim" / "bad.yaml").write_text(BAD)
    (workspace / "deploy nim" / "old spec.yaml").write_text(BAD)
    args = (
        "--select S --exclude 'deploy nim/old spec.yaml' "
        '--stdin-filename "$(touch PWNED)`touch PWNED2`$HOME" --exclude \\*.json\n--quiet'
    )
    result = run_action(workspace, runner_temp, paths="deploy nim", args=args)
    assert result.returncode == 1, result.stderr
    assert [line.split("::")[1].split(",")[0] for line in result.stdout.splitlines()] == [
        "error file=deploy nim/bad.yaml"
    ]
    assert not list(tmp_path.rglob("PWNED*")) and not list(ROOT.glob("PWNED*"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "error"),
    [
        ("--fail-on bogus", "Invalid value for '--fail-on'"),
        ("--select 'S", "the action's args input cannot be split into words"),
        ("--policy missing.yaml", "missing.yaml"),
    ],
)
def test_action_writes_sarif_on_a_usage_error(
    tmp_path: Path, runner_temp: Path, args: str, error: str
) -> None:
    workspace = tmp_path / "repo"
    workspace.mkdir()
    (workspace / "spec.yaml").write_text(GOOD)
    (workspace / "nimlint.sarif").write_text("stale report of an earlier run")
    result = run_action(
        workspace, runner_temp, paths="spec.yaml", args=args, sarif_file="nimlint.sarif"
    )
    assert result.returncode == 2
    assert error in result.stderr
    [invocation] = _valid_sarif(workspace / "nimlint.sarif")["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert any(error in n["message"]["text"] for n in invocation["toolExecutionNotifications"])


MARKING_RULE = """
from pathlib import Path
Path({mark!r}).write_text("checkout code ran")
from nimlint.engine.python_rules import RuleSet
RULES = RuleSet()
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fork", "python_rules", "imported"),
    [("true", "auto", False), ("", "auto", True), ("", "false", False), ("true", "true", True)],
)
def test_a_fork_keeps_the_configuration_data_but_runs_no_checkout_code(
    tmp_path: Path, runner_temp: Path, fork: str, python_rules: str, imported: bool
) -> None:
    workspace, mark = tmp_path / "repo", tmp_path / "MARK"
    (workspace / "deploy" / "legacy").mkdir(parents=True)
    (workspace / "deploy" / "update.yaml").write_text("spec:\n  replicas: -1\n")
    (workspace / "deploy" / "legacy" / "old.yaml").write_text(BAD)
    (workspace / "rules.py").write_text(MARKING_RULE.format(mark=str(mark)))
    (workspace / ".nimlint.yaml").write_text(
        "extra-rules: [rules.py]\nkinds: {'deploy/update.yaml': update}\n"
        "exclude: [legacy]\nselect: [S]\n"
    )
    result = run_action(
        workspace, runner_temp, fork=fork, paths="deploy", python_rules=python_rules
    )
    assert mark.exists() == imported, result.stderr
    assert result.returncode == 1, result.stderr
    # The configuration's data holds: the update kind (no metadata needed), the exclude.
    assert [line.split("::")[1].split(",")[0] for line in result.stdout.splitlines()] == [
        "error file=deploy/update.yaml"
    ]
