"""docs/policy.md, run: its example files are written, every command is run on them, and the
output a page shows after a command is the output it gives."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "policy.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
FILE = re.compile(r"^# ([\w./-]+\.ya?ml)(?::|\n)")
EXITS = re.compile(r"#\s*exits (\d)")


def blocks() -> list[tuple[str, str]]:
    return FENCE.findall(PAGE.read_text("utf-8"))


def commands() -> list[tuple[str, int | None, str | None]]:
    """(command, the exit code its comment states, the text block right after its block)."""
    found, listed = [], blocks()
    for index, (info, body) in enumerate(listed):
        shell = [line for line in body.splitlines() if line.strip()] if info == "sh" else []
        shell += [
            step["run"]
            for step in (yaml.safe_load(body) if info == "yaml" and "- run:" in body else [])
        ]
        after = listed[index + 1] if index + 1 < len(listed) else ("", "")
        shown = after[1] if after[0] == "text" and len(shell) == 1 else None
        for line in shell:
            code = EXITS.search(line)
            found.append((line, int(code.group(1)) if code else None, shown))
    return found


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    """A folder holding every file the page shows (a yaml block whose first line names it)."""
    folder = tmp_path_factory.mktemp("policy-docs")
    for info, body in blocks():
        name = FILE.match(body)
        if info == "yaml" and name:
            path = folder / name.group(1)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, "utf-8")
    return folder


def test_the_page_shows_a_complete_example() -> None:
    names = {FILE.match(body).group(1) for info, body in blocks() if FILE.match(body)}
    assert {"policies/team-a.yaml", "policies/cluster.yaml", "deploy/team-a/llama.yaml"} <= names
    assert len(commands()) >= 7


@pytest.mark.parametrize(
    ("command", "code", "shown"), commands(), ids=[c for c, _, _ in commands()]
)
def test_every_command_of_the_page_runs(sandbox: Path, command: str, code, shown) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    result = subprocess.run(
        ["sh", "-c", command], cwd=sandbox, env=env, capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    if code is not None:
        assert result.returncode == code, output
    else:
        assert result.returncode in (0, 1), output
    if shown is not None:
        assert output == shown
