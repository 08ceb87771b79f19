"""The documentation stays true: generated rule docs, and every command, link and option shown."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nimlint.engine.registry import build_registry

ROOT = Path(__file__).resolve().parent.parent


def test_rules_reference_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_every_rule_is_documented() -> None:
    for rule in build_registry(plugins=False).values():
        assert rule.summary and "\n" not in rule.summary.strip(), rule.id
        assert len(rule.rationale) > 40, rule.id
        assert rule.bad.strip() and rule.good.strip(), rule.id


# --- every page: shell commands, fences, links, options ----------------------------------------

PAGES = sorted([ROOT / "README.md", ROOT / "benchmarks" / "README.md", *ROOT.glob("docs/*.md")])
SANDBOX = Path(__file__).parent / "fixtures" / "docs"
FENCE = re.compile(r"^( *)```([\w-]*)[^\n]*\n(.*?)^\1```[ \t]*$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
INFO_STRINGS = {"sh", "text", "yaml", "json", "python", "toml", "vim", "elisp", "lua"}
README_INSTALL = (
    "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/nimlint check examples/"
)
README_TESTS = '.venv/bin/pip install ".[test]" && .venv/bin/python -m pytest'
# Commands a test here does not run, each with the test or reason that covers it. A python script
# among them still has its options checked against its --help.
NOT_RUN = {
    README_INSTALL: "tests/test_action.py::test_readme_first_command_works_in_a_fresh_copy",
    README_TESTS: "the test suite itself; .ci/run runs it (test_ci_runs_the_readme_test_command)",
    "pip install -e .": "installs this checkout, as the README's first command does",
    "pip install check-jsonschema ruamel.yaml.clib": "installs from PyPI",
    "python benchmarks/run.py --quick": "minutes",
    "python benchmarks/run.py --json bench.json": "15-20 minutes",
    "python benchmarks/startup.py": "a minute",
    "python benchmarks/startup.py --repeat 21 --json startup.json": "minutes",
    "python benchmarks/long_values.py": "30 s",
    "nimlint check --policy mistakes.yaml deploy/team-a/llama.yaml": (
        "exits 2 by design; tests/test_policy_docs.py runs it and checks its output"
    ),
}
# Run with the smallest sizes: the command's shape and options are what can go stale.
SHRINK = ((re.compile(r"--count \d+"), "--count 3"),)


def fences(page: Path) -> list[tuple[str, str]]:
    """(info string, dedented body) of every fenced block of a page, indented ones included."""
    found = []
    for indent, info, body in FENCE.findall(page.read_text("utf-8")):
        lines = body.splitlines(keepends=True)
        found.append((info, "".join(line[len(indent) :] for line in lines)))
    return found


def shell_commands(page: Path) -> list[str]:
    """Each command line of the page's ``sh`` blocks, without its trailing comment."""
    commands = []
    for info, body in fences(page):
        if info != "sh":
            continue
        for line in body.splitlines():
            command = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def _all_commands() -> list[tuple[str, str]]:
    return [(page.relative_to(ROOT).as_posix(), c) for page in PAGES for c in shell_commands(page)]


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NIMLINT_CACHE_DIR"] = str(tmp / "cache")
    return env


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    """The folder the commands run in: the files they name, examples/ and benchmarks/."""
    folder = tmp_path_factory.mktemp("docs") / "work"
    shutil.copytree(SANDBOX, folder)
    shutil.copytree(ROOT / "examples", folder / "examples")
    corpus = shutil.ignore_patterns("corpus", "__pycache__")
    shutil.copytree(ROOT / "benchmarks", folder / "benchmarks", ignore=corpus)
    return folder


def test_pages_use_known_fences() -> None:
    """A shell command shown in any other fence (bash, console) would escape the test below."""
    for page in PAGES:
        assert {info for info, _ in fences(page)} <= INFO_STRINGS, page


@pytest.mark.parametrize(("page", "command"), _all_commands())
def test_doc_shell_command_runs(sandbox, page, command) -> None:
    if command in NOT_RUN:
        pytest.skip(NOT_RUN[command])
    for pattern, small in SHRINK:
        command = pattern.sub(small, command)
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", command],
        cwd=sandbox,
        env=_env(sandbox.parent),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # 1 is findings (or a diff); 2 is a usage error: an option or a file that is gone.
    assert result.returncode in (0, 1), f"{page}: {command}\n{result.stdout}{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr


def test_not_run_commands_are_shown_and_their_options_exist() -> None:
    shown = {command for _, command in _all_commands()}
    assert set(NOT_RUN) <= shown, set(NOT_RUN) - shown  # no exemption outlives its command
    for command in NOT_RUN:
        words = command.split()
        if words[0] != "python" or not words[1].endswith(".py"):
            continue
        script = ROOT / words[1]
        assert script.is_file(), command
        options = [w for w in words[2:] if w.startswith("--")]
        if options:
            helps = subprocess.run(
                [sys.executable, str(script), "--help"], capture_output=True, text=True, check=True
            ).stdout
            assert [o for o in options if not re.search(rf"{o}\b", helps)] == [], command


def test_ci_runs_the_readme_test_command() -> None:
    readme = shell_commands(ROOT / "README.md")
    assert readme[:2] == [README_INSTALL, README_TESTS]  # the README starts with these two
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert 'pip install --quiet ".[test]"' in ci and "\npython -m pytest\n" in ci


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text("utf-8"))
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def test_links_between_pages_resolve() -> None:
    checked = 0
    for page in PAGES:
        text = FENCE.sub("", page.read_text("utf-8"))
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue  # a URL
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            assert linked.exists(), f"{page.name}: {target}"
            if anchor:
                assert anchor in _anchors(linked), f"{page.name}: {target}"
            checked += 1
    assert checked > 20


def test_every_page_is_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for page in (ROOT / "docs").glob("*.md"):
        assert f"](docs/{page.name})" in readme, page.name


def _helps(*argvs: list[str]) -> str:
    return "".join(
        subprocess.run(argv, capture_output=True, text=True, check=True).stdout for argv in argvs
    )


def test_readme_options_table_is_complete() -> None:
    """Every option of ``nimlint check --help`` has a row in the README's table."""
    helps = _helps([sys.executable, "-m", "nimlint", "check", "--help"])
    options = set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", helps.split("Options:", 1)[1]))
    readme = (ROOT / "README.md").read_text("utf-8")
    rows = "".join(re.findall(r"^\| `-.*$", readme, re.MULTILINE))
    assert len(options) > 25
    assert {o for o in options if f"`{o}" not in rows} == set()


def test_docs_mention_only_real_cli_options() -> None:
    nimlint = [sys.executable, "-m", "nimlint"]
    helps = _helps(
        [*nimlint, "check", "--help"],
        [*nimlint, "schema", "--help"],
        [*nimlint, "effective", "--help"],
        [*nimlint, "rules", "--help"],
        [*nimlint, "server", "--help"],
        [sys.executable, str(ROOT / "benchmarks" / "server.py"), "--help"],
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--help"],
        [sys.executable, str(ROOT / "benchmarks" / "startup.py"), "--help"],
        [sys.executable, str(ROOT / "benchmarks" / "generate_corpus.py"), "--help"],
    )
    # pre-commit's, pytest's (hypothesis) and Emacs's options, mentioned as such
    others = {"--all-files", "--hypothesis-seed", "--batch"}
    for page in PAGES:
        if page.name == "rules.md":
            continue  # generated from the rules; test_rules_reference_is_up_to_date
        options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", page.read_text("utf-8")))
        unknown = {o for o in options - others if not re.search(rf"{o}\b", helps)}
        assert unknown == set(), page.name


def test_the_writing_rules_example_loads_beside_the_built_in_rules(tmp_path: Path) -> None:
    """Its id and name must not be a built-in rule's: the registry refuses duplicates."""
    text = (ROOT / "docs" / "writing-rules.md").read_text("utf-8")
    block = re.search(r"^```yaml\n(rules:\n.*?)^```$", text, re.MULTILINE | re.DOTALL)[1]
    (tmp_path / "house.yaml").write_text(block, "utf-8")
    registry = build_registry((tmp_path / "house.yaml",), plugins=False)
    assert "ACME001" in registry
