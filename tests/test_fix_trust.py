"""Autofix that users can trust blindly (issue 20): no value lost, no crash, the editor's
buffer always written back, diffs that apply, safe fixes whose result is right."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nimlint.fixer import fix_file
from nimlint.lint import Linter, Options, lint_text
from tests.test_cli import nimlint

ROOT = Path(__file__).resolve().parent.parent
HEAD = 'metadata:\n  name: llama\n  projectId: "4501"\nspec:\n  image: nvcr.io/nim/x:1\n'


def _fixed(text: str, name: str = "spec.yaml", mode: str = "unsafe") -> tuple[str, list]:
    """The text after --fix (``mode``) and the findings left."""
    result = fix_file(Linter(Options(fix=mode)), text.encode(), name, ROOT, name)
    return result.text, result.findings


# --- 1. a rename never loses a value ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "  imagepullpolicy: Always\n  ImagePullPolicy: Never\n",
        HEAD + "  imagePullpolicy: Always\n  imagepullPolicy: Never\n",
        '{"metadata": {"name": "llama", "projectId": "4501"}, "spec": {"image": "a:1",'
        ' "imagepullpolicy": "Always", "ImagePullPolicy": "Never"}}\n',
    ],
)
def test_two_keys_claiming_one_name_get_no_rename(text: str) -> None:
    name = "spec.json" if text.startswith("{") else "spec.yaml"
    findings = lint_text(text, name, Options(fixes=True))
    unknown = [f for f in findings if f.rule == "S008"]
    assert len(unknown) == 2 and all(f.fix is None for f in unknown)
    assert _fixed(text, name)[0] == text


def test_a_rename_to_a_key_the_mapping_has_is_not_offered() -> None:
    text = HEAD + "  imagePullPolicy: Always\n  ImagePullPolicy: Never\n"
    assert [f.fix for f in lint_text(text, "a.yaml", Options(fixes=True)) if f.rule == "S008"] == [
        None
    ]


def test_one_misspelled_key_is_still_renamed() -> None:
    text = HEAD + "  imagepullpolicy: Always\n"
    assert _fixed(text)[0] == HEAD + "  imagePullPolicy: Always\n"


# --- 2. an alias as a duplicate list entry -----------------------------------------------

ALIASED = HEAD + "  imagePullSecrets:\n    - &s {name: a}\n    - *s\n"


@pytest.mark.parametrize(
    "flags", [["--fix"], ["--diff"], ["--format", "json"], ["--format", "sarif"]]
)
def test_an_aliased_duplicate_entry_does_not_crash(flags: list[str], tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(ALIASED)
    other = tmp_path / "other.yaml"
    other.write_text(HEAD + "  imagePullPolicy: always\n")
    result = nimlint("check", *flags, str(spec), str(other))
    assert b"internal error" not in result.stderr and result.returncode in (0, 1)
    if flags == ["--fix"]:
        assert spec.read_text() == HEAD + "  imagePullSecrets:\n    - &s {name: a}\n"
        assert "imagePullPolicy: Always" in other.read_text()


def test_an_aliased_duplicate_entry_is_removed_in_flow_and_block() -> None:
    flow = HEAD + "  imagePullSecrets: [&s {name: a}, *s]\n"
    assert _fixed(flow, mode="safe")[0] == HEAD + "  imagePullSecrets: [&s {name: a}]\n"
    block = HEAD + "  imagePullSecrets:\n    - &s\n      name: a\n    - *s\n"
    assert _fixed(block, mode="safe")[0] == HEAD + "  imagePullSecrets:\n    - &s\n      name: a\n"


# --- 3. --fix with standard input always writes the whole text ---------------------------


@pytest.mark.parametrize("named", [[], ["--stdin-filename", "deploy/spec.yaml"]])
@pytest.mark.parametrize(
    "text",
    [
        HEAD + "  imagePullPolicy: Always\n",  # nothing to fix
        HEAD + "  imagePullPolicy: always\n",  # a fix
        "spec: [\n",  # a syntax error
        "",  # empty
    ],
)
def test_stdin_fix_always_writes_the_resulting_text(named: list[str], text: str) -> None:
    result = nimlint("check", "--fix", *named, "-", stdin=text.encode())
    assert result.stdout == text.replace("always", "Always").encode(), result.stderr


# --- 5. --diff is the file's bytes: patch and git apply give what --fix writes ----------

PATCH_CASES = {
    "lf": HEAD + "  imagePullPolicy: always\n",
    "crlf": (HEAD + "  imagePullPolicy: always\n").replace("\n", "\r\n"),
    "cr": (HEAD + "  imagePullPolicy: always\n").replace("\n", "\r"),
    "bom": "\ufeff" + HEAD + "  imagePullPolicy: always\n",
    "no-final-newline": HEAD + "  imagePullPolicy: always",
    "tab-in-value": HEAD + '  imagePullPolicy: always\n  command: "a\tb"\n',
    "u2028-comment": HEAD + "  # a\u2028comment\n  imagePullPolicy: always  # \u2028\n",
    "removed-last-line": HEAD + "  imagePullSecrets:\n    - name: a\n    - name: a",
}


def _apply(tool: list[str], folder: Path, diff: bytes) -> None:
    done = subprocess.run(tool, cwd=folder, input=diff, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "tool", [["patch", "-s", "-p0"], ["git", "apply", "-p0"], ["git", "apply"]], ids=str
)
@pytest.mark.parametrize("case", PATCH_CASES)
def test_diff_applies_to_give_what_fix_writes(case: str, tool: list[str], tmp_path: Path) -> None:
    if shutil.which(tool[0]) is None:
        pytest.skip(f"{tool[0]} is not installed")
    raw = PATCH_CASES[case].encode()
    (tmp_path / "fixed").mkdir()
    (tmp_path / "patched").mkdir()
    for folder in ("fixed", "patched"):
        (tmp_path / folder / "spec.yaml").write_bytes(raw)
    diff = nimlint("check", "--diff", "spec.yaml", cwd=tmp_path / "patched").stdout
    assert diff.startswith(b"--- spec.yaml\n+++ spec.yaml\n")
    assert nimlint("check", "--fix", "spec.yaml", cwd=tmp_path / "fixed").returncode in (0, 1)
    fixed = (tmp_path / "fixed" / "spec.yaml").read_bytes()
    assert fixed != raw
    if tool[:2] == ["git", "apply"] and "-p0" not in tool:
        diff = diff.replace(b"--- spec.yaml", b"--- a/spec.yaml").replace(
            b"+++ spec.yaml", b"+++ b/spec.yaml"
        )
    _apply(tool, tmp_path / "patched", diff)
    assert (tmp_path / "patched" / "spec.yaml").read_bytes() == fixed


def test_diff_to_a_terminal_escapes_what_the_terminal_would_interpret() -> None:
    from nimlint.report.diff_format import unified_diff

    before = b"a: 1\r\nb: \x1b[31mred\tx\r\nc: 3"
    after = b"a: 1\r\nb: \x1b[31mRED\tx\r\nc: 4"
    shown = unified_diff("s.yaml", before, after, terminal=True).decode()
    assert "\x1b" not in shown and "\r" not in shown
    assert "\n-b: \\x1b[31mred\tx\n" in shown and "\n+b: \\x1b[31mRED\tx\n" in shown
    assert "\n-c: 3\n\\ No newline at end of file\n" in shown
    assert shown.endswith("\n+c: 4\n\\ No newline at end of file\n")
