"""Output and CI switches through the command line: text excerpts, --format concise,
--exit-zero, --quiet, --statistics, NO_COLOR, JUnit and fail-on, rule names as selectors."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_cli import ROOT, nimlint

BAD = 'metadata: {name: a, projectId: "1"}\nspec:\n  replicas: -1\n  replica: 1\n'
CLEAN = str(ROOT / "examples")


@pytest.fixture
def bad(tmp_path: Path) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    return str(path)


def test_text_shows_the_source_line_and_a_caret(bad: str) -> None:
    out = nimlint("check", "--select", "S004", bad).stdout.decode().splitlines()
    assert out[:6] == [
        "error[S004]: spec.replicas must be at least 0; got -1",
        f" --> {bad}:3:13",
        "  |",
        "3 |   replicas: -1",
        "  |             ^^",
        "  |",
    ]
    assert out[-1] == "For the documentation of a rule, run: nimlint rule ID (for example: S004)"


def test_concise_keeps_one_line_per_finding(bad: str) -> None:
    out = nimlint("check", "--select", "S004", "--format", "concise", bad).stdout.decode()
    assert out == (
        f"{bad}\n  3:13  error  spec.replicas must be at least 0; got -1  [S004]\n\n"
        "Found 1 problem (1 error) in 1 of 1 file.\n"
    )


def test_exit_zero_reports_but_passes(bad: str) -> None:
    result = nimlint("check", "--exit-zero", bad)
    assert result.returncode == 0
    assert b"error[S004]" in result.stdout
    missing = nimlint("check", "--exit-zero", bad, "missing.yaml")
    assert missing.returncode == 2
    assert nimlint("check", "--exit-zero", "--format", "xml", bad).returncode == 2


def test_quiet_prints_findings_only(bad: str) -> None:
    out = nimlint("check", "--quiet", "--format", "concise", bad).stdout.decode()
    assert "[S004]" in out and "Found" not in out
    assert nimlint("check", "-q", CLEAN).stdout == b""


def test_statistics_one_line_per_rule(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(BAD + "  replicaz: 2\n")
    out = nimlint("check", "--select", "S", "--statistics", str(spec)).stdout.decode()
    assert out.splitlines() == [
        "2\tS008\tunknown-key",
        "1\tS004\tschema-range",
        "Found 3 problems (1 error, 2 warnings) in 1 of 1 file.",
    ]
    quiet = nimlint("check", "--select", "S", "--statistics", "-q", str(spec)).stdout.decode()
    assert quiet.splitlines() == ["2\tS008\tunknown-key", "1\tS004\tschema-range"]


def test_no_all_checks_passed_in_a_run_that_exits_two() -> None:
    result = nimlint("check", CLEAN, "missing.yaml")
    assert result.returncode == 2
    assert b"All checks passed" not in result.stdout
    assert b"1 path could not be linted" in result.stdout
    assert b"All checks passed" in nimlint("check", CLEAN).stdout


def _on_terminal(*args: str, env: dict) -> bytes:
    """Run nimlint with its stdout on a pseudo-terminal; return what it printed."""
    controller, terminal = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    environment.update(env)
    subprocess.run(
        [sys.executable, "-m", "nimlint", *args],
        stdout=terminal,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=environment,
        timeout=60,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return b"".join(chunks)


@pytest.mark.parametrize(("value", "colored"), [("", True), ("1", False), ("0", False)])
def test_no_color_counts_only_when_not_empty(bad: str, value: str, colored: bool) -> None:
    output = _on_terminal("check", bad, env={"NO_COLOR": value})
    assert b"S004" in output
    assert (b"\x1b[" in output) is colored


def test_junit_fails_a_file_only_from_fail_on_up(tmp_path: Path) -> None:
    spec = tmp_path / "warn.yaml"
    spec.write_text('metadata: {name: a, projectId: "1"}\nspec:\n  replica: 1\n')

    def failures(*args: str) -> int:
        out = nimlint("check", "--select", "S008", "--format", "junit", *args, str(spec)).stdout
        return int(ET.fromstring(out).find("testsuite").get("failures"))

    assert failures() == 0
    assert failures("--fail-on", "warning") == 1


def test_rule_names_select_ignore_and_document(bad: str) -> None:
    selected = nimlint("check", "--select", "schema-range", "--format", "gcc", bad)
    assert selected.stdout.decode().splitlines() == [
        f"{bad}:3:13: error: spec.replicas must be at least 0; got -1 [S004]"
    ]
    ignored = nimlint("check", "--select", "S", "--ignore", "unknown-key,S004", bad)
    assert ignored.returncode == 0 and b"All checks passed" in ignored.stdout
    assert nimlint("rule", "unknown-key").stdout.decode().startswith("## S008")
    unknown = nimlint("check", "--select", "no-such-rule", bad)
    assert unknown.returncode == 2
    assert b"unknown rule id, prefix or name 'no-such-rule'" in unknown.stderr


def test_severity_takes_prefixes_and_names(bad: str) -> None:
    def gcc(*args: str) -> str:
        return nimlint("check", "--select", "S", "--format", "gcc", *args, bad).stdout.decode()

    assert gcc("--severity", "S=info").count(": note: ") == 2
    mixed = gcc("--severity", "S=info", "--severity", "S004=error")  # the longest prefix wins
    assert ": error: " in mixed and ": note: " in mixed
    assert ": error: " in gcc("--severity", "unknown-key=error").split("\n")[1]
    assert nimlint("check", "--severity", "Q=info", bad).returncode == 2


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_excerpts_count_lines_as_the_loader_does(tmp_path: Path, separator: str) -> None:
    """NEL, U+2028 and U+2029 are not line breaks for the loader (nor for editors): the
    excerpt under a finding is the line its line number names."""
    spec = tmp_path / "s.yaml"
    text = f'metadata: {{name: a, projectId: "1"}}\n# note{separator}more\nspec:\n  replica: 2\n'
    spec.write_text(text, encoding="utf-8")
    out = nimlint("check", "--select", "S008", str(spec)).stdout.decode()
    assert "4:3" in out
    assert "4 |   replica: 2" in out


def test_a_tab_message_counts_lines_as_the_loader_does(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("metadata: {name: a}\n# x\u2028y\nspec:\n\treplicas: 1\n", encoding="utf-8")
    out = nimlint("check", "--format", "concise", str(spec)).stdout.decode()
    assert "indented with tabs" in out


def test_statistics_are_in_the_json_summary_and_said_to_be_ignored_elsewhere(
    tmp_path: Path,
) -> None:
    import json

    spec = tmp_path / "s.yaml"
    spec.write_text(BAD + "  replicaz: 2\n")
    result = nimlint("check", "--select", "S", "--statistics", "--format", "json", str(spec))
    assert json.loads(result.stdout)["summary"]["rules"] == {"S004": 1, "S008": 2}
    assert result.stderr == b""
    gcc = nimlint("check", "--select", "S", "--statistics", "--format", "gcc", str(spec))
    assert gcc.stderr.decode() == (
        "nimlint: note: --statistics changes only the text and concise formats "
        "(the json format's summary always counts each rule)\n"
    )
    assert gcc.stdout.decode().count("\n") == 3  # the gcc lines, unchanged


@pytest.mark.parametrize("page", ["README.md", "docs/integrations.md"])
def test_the_docs_text_sample_is_what_nimlint_prints(tmp_path: Path, page: str) -> None:
    import re

    text = (Path(__file__).resolve().parents[1] / page).read_text("utf-8")
    pattern = r"```text\n *(error\[S004\]: spec\.replicas.*?) *```"
    sample = re.search(pattern, text, re.DOTALL)[1]
    spec = tmp_path / "deploy" / "llama.yaml"
    spec.parent.mkdir()
    spec.write_text(
        'metadata:\n  name: llama\n  projectId: "1"\nspec:\n'
        "  image: nvcr.io/nim/meta/llama3-8b-instruct:1.0.0\n"
        "  servingPort: {port: 8000}\n  replicas: -1\n"
    )
    out = nimlint("check", "--select", "S004", "deploy/llama.yaml", cwd=tmp_path).stdout.decode()
    sample_lines = [line.strip() for line in sample.strip().splitlines()]
    finding = out.split("\n\n")[0]  # the finding's block, up to the summary
    assert sample_lines == [line.strip() for line in finding.splitlines()], out


def test_excerpts_are_read_for_the_text_format_alone(tmp_path: Path, bad: str) -> None:
    """Only the text format prints the lines findings are on: a JSON or SARIF run does not
    read them (a file's text decoded and split again), a run that also prints text does."""
    from nimlint.lint import Options, lint_paths

    assert lint_paths([bad], Options()).sources[bad][3] == "  replicas: -1"
    assert lint_paths([bad], Options(excerpts=False)).sources == {}
    report = tmp_path / "out.sarif"
    args = ("check", "--select", "S004", "--format", "sarif", "--output-file", str(report))
    out = nimlint(*args, "--format", "text", bad).stdout.decode()
    assert "3 |   replicas: -1" in out
    assert '"ruleId": "S004"' in report.read_text()
