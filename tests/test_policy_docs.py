"""docs/policy.md, run: the files it shows are the files its commands run on (the docs sandbox,
tests/fixtures/docs), and the output it shows after a command is the output that command gives,
exit code included. tests/test_docs.py runs every page's commands too; this test also checks what
they print."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "policy.md"
SANDBOX = Path(__file__).parent / "fixtures" / "docs"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
FILE = re.compile(r"^# ([\w./-]+\.ya?ml)(?::|\n)")
EXITS = re.compile(r"#\s*exits (\d)")


def blocks() -> list[tuple[str, str]]:
    return FENCE.findall(PAGE.read_text("utf-8"))


def shown_files() -> dict[str, str]:
    """Path -> text of every yaml block whose first line names its file."""
    return {
        FILE.match(body).group(1): body
        for info, body in blocks()
        if info == "yaml" and FILE.match(body)
    }


def commands() -> list[tuple[str, int | None, str | None]]:
    """(command, the exit code its comment states, the text block right after its block)."""
    found, listed = [], blocks()
    for index, (info, body) in enumerate(listed):
        shell = [line for line in body.splitlines() if line.strip()] if info == "sh" else []
        if info == "yaml" and "- run:" in body:  # a CI step
            shell += [step["run"] for step in yaml.safe_load(body)]
        after = listed[index + 1] if index + 1 < len(listed) else ("", "")
        shown = after[1] if after[0] == "text" and len(shell) == 1 else None
        for line in shell:
            code = EXITS.search(line)
            found.append((line, int(code.group(1)) if code else None, shown))
    return found


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("policy-docs") / "work"
    shutil.copytree(SANDBOX, folder)
    return folder


def test_the_page_shows_the_files_its_commands_run_on() -> None:
    files = shown_files()
    assert {"policies/team-a.yaml", "policies/cluster.yaml", "deploy/team-a/llama.yaml"} <= set(
        files
    )
    for name, text in files.items():
        assert (SANDBOX / name).read_text("utf-8") == text, name
    assert len(commands()) >= 7


@pytest.mark.parametrize(
    ("command", "code", "shown"), commands(), ids=[c for c, _, _ in commands()]
)
def test_every_command_of_the_page_prints_what_it_shows(
    sandbox: Path, command: str, code, shown
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NIMLINT_CACHE_DIR"] = str(sandbox.parent / "cache")
    result = subprocess.run(
        ["sh", "-c", command], cwd=sandbox, env=env, capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.returncode == code if code is not None else result.returncode in (0, 1), output
    if shown is not None:
        assert output == shown
