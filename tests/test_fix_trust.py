"""Autofix that users can trust blindly (issue 20): no value lost, no crash, the editor's
buffer always written back, diffs that apply, safe fixes whose result is right."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nimlint.lint import Linter, Options, lint_text
from tests.test_cli import nimlint

ROOT = Path(__file__).resolve().parent.parent
HEAD = 'metadata:\n  name: llama\n  projectId: "4501"\nspec:\n  image: nvcr.io/nim/x:1\n'


def _fixed(text: str, name: str = "spec.yaml", mode: str = "unsafe") -> tuple[str, list]:
    """The text after --fix (``mode``) and the findings left."""
    result = Linter(Options(fix=mode)).fix_bytes(text.encode(), name, ROOT, name)
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


def test_stdin_fix_writes_the_text_back_when_the_configuration_is_bad(tmp_path: Path) -> None:
    """A bad configuration stops the run (exit 2), but an editor that replaces its buffer with
    standard output must get its text back, not an empty buffer."""
    (tmp_path / ".nimlint.yaml").write_text("select: [NOPE]\n")
    text = HEAD + "  imagePullPolicy: always\n"
    args = ("check", "--fix", "--stdin-filename", "spec.yaml", "-")
    result = nimlint(*args, stdin=text.encode(), cwd=tmp_path)
    assert result.returncode == 2 and b"nimlint: error:" in result.stderr
    assert result.stdout == text.encode()


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


@pytest.mark.parametrize("tool", [["patch", "-s", "-p0"], ["git", "apply", "-p0"]], ids=str)
def test_a_diff_of_a_file_whose_name_has_a_space_applies(tool: list[str], tmp_path: Path) -> None:
    # patch reads a name up to the first space unless a tab ends it (git writes that tab too).
    if shutil.which(tool[0]) is None:
        pytest.skip(f"{tool[0]} is not installed")
    raw = PATCH_CASES["lf"].encode()
    name = "my spec.yaml"
    (tmp_path / "fixed").mkdir()
    (tmp_path / "patched").mkdir()
    for folder in ("fixed", "patched"):
        (tmp_path / folder / name).write_bytes(raw)
    diff = nimlint("check", "--diff", name, cwd=tmp_path / "patched").stdout
    assert diff.startswith(b"--- my spec.yaml\t\n+++ my spec.yaml\t\n")
    nimlint("check", "--fix", name, cwd=tmp_path / "fixed")
    _apply(tool, tmp_path / "patched", diff)
    assert (tmp_path / "patched" / name).read_bytes() == (tmp_path / "fixed" / name).read_bytes()


def test_diff_to_a_terminal_escapes_what_the_terminal_would_interpret() -> None:
    from nimlint.report.diff_format import unified_diff

    before = b"a: 1\r\nb: \x1b[31mred\tx\r\nc: 3"
    after = b"a: 1\r\nb: \x1b[31mRED\tx\r\nc: 4"
    shown = unified_diff("s.yaml", before, after, terminal=True).decode()
    assert "\x1b" not in shown and "\r" not in shown
    assert "\n-b: \\x1b[31mred\tx\n" in shown and "\n+b: \\x1b[31mRED\tx\n" in shown
    assert "\n-c: 3\n\\ No newline at end of file\n" in shown
    assert shown.endswith("\n+c: 4\n\\ No newline at end of file\n")


# --- 9. safe means the fixed value is right ----------------------------------------------


def _fixes(text: str, name: str = "spec.yaml") -> dict[str, str]:
    """pointer -> applicability of each finding's fix."""
    return {
        f.pointer: f.fix.applicability
        for f in lint_text(text, name, Options(fixes=True))
        if f.fix is not None
    }


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ("  labels: [{name: tier, value: -1}]\n", "/spec/labels/0/value"),  # invalid label value
        ("  priorityClass: 1\n", "/spec/priorityClass"),  # unknown priority class
        ("  compute: {cpuMemoryRequest: 0x10}\n", "/spec/compute/cpuMemoryRequest"),
    ],
)
def test_a_quote_that_gives_an_invalid_value_is_unsafe(body: str, pointer: str) -> None:
    assert _fixes(HEAD + body)[pointer] == "unsafe"
    assert _fixed(HEAD + body, mode="safe")[0] == HEAD + body


@pytest.mark.parametrize("text", ["0x1F", "1e3", "+4501", "0755", "12.0e+1", "True"])
def test_a_quote_where_text_and_value_disagree_is_unsafe(text: str) -> None:
    body = HEAD.replace('"4501"', text)
    assert _fixes(body)["/metadata/projectId"] == "unsafe"
    assert _fixed(body, mode="safe")[0] == body


@pytest.mark.parametrize("text", ["4501", "true"])
def test_a_quote_of_a_number_as_written_stays_safe(text: str) -> None:
    body = HEAD.replace('"4501"', text)
    assert _fixes(body)["/metadata/projectId"] == "safe"


def test_a_repair_near_which_a_new_finding_appears_is_unsafe() -> None:
    """An enum's case fixed can expose an error its wrong case hid (rules skip values they
    do not know): a new finding next to a repaired value makes its repair unsafe, unless
    that finding has a safe fix of its own (the next pass takes it)."""
    from nimlint.engine.fix_safety import rechecked
    from nimlint.findings import Placed, Problem, Repair

    data = {"t": [{"operator": "exists", "key": "a"}]}
    fix = Repair("replace", "/t/0/operator", "write 'Exists'", "Exists")
    placed = [Placed("S002", None, "bad case", "/t/0/operator", fix)]

    def check(hidden: Problem):
        return lambda repaired: [("X", hidden)]

    def safe(rule: str) -> bool:
        return rule in ("S002", "T003")

    def after(found: Problem, safe=safe) -> bool:
        return rechecked(placed, data, safe, lambda _: None, check(found))[0].repair.safe

    assert after(Problem("/t/0/key", "bad")) is False
    fixable = Problem("/t/0/value", "drop it", repair=Repair("remove", "/t/0/value", "remove"))
    assert after(fixable, lambda rule: True) is True
    assert after(Problem("/u", "bad")) is True


# --- 10. smaller ---------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_removing_the_last_entry_keeps_a_missing_final_newline(newline: str) -> None:
    before = (HEAD + "  imagePullSecrets:\n    - name: a\n    - name: a").replace("\n", newline)
    after = (HEAD + "  imagePullSecrets:\n    - name: a").replace("\n", newline)
    assert _fixed(before, mode="safe")[0] == after


@pytest.mark.parametrize(
    ("text", "written"), [("0755", "0755"), ("12.0e+1", "12.0e+1"), ("0x1F", "0x1F")]
)
def test_the_quote_message_says_the_text_as_written(text: str, written: str) -> None:
    body = HEAD.replace('"4501"', text)
    findings = lint_text(body, "a.yaml", Options(fixes=True))
    (finding,) = [f for f in findings if f.rule == "S001"]
    assert finding.message.endswith(f'quote it: "{written}"')
    assert finding.repair.message == f"quote {written} as a string"
    fixes = [f.fix for f in findings if f.pointer == "/metadata/projectId" and f.fix]
    assert fixes and all(e.content == f'"{written}"' for fix in fixes for e in fix.edits)


@pytest.mark.parametrize("fixes", [False, True])
def test_a_value_a_merge_key_brings_is_not_quoted_as_the_merge_key(fixes: bool) -> None:
    """The value of ``{<<: *e, name: B}`` is written where the anchor is: the message quotes
    the value (5), not the text at the merge key (``<<``), and no edit touches ``<<``."""
    body = "x: &e {name: A, value: 5}\n" + HEAD + "  environmentVariables: [{<<: *e, name: B}]\n"
    findings = lint_text(body, "a.yaml", Options(fixes=fixes))
    (finding,) = [f for f in findings if f.rule == "S001"]
    assert finding.message.endswith('quote it: "5"'), finding.message
    if finding.fix is not None:
        from nimlint.engine.fix_edits import apply_edits

        assert "{<<: *e, name: B}" in apply_edits(body, finding.fix.edits)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("  replicas: 1  # nimlint: disable=S004\n", "  replicas: 1\n"),
        ("  # nimlint: disable-next-line=S004\n  replicas: 1\n", "  replicas: 1\n"),
        ("  replicas: 1  # nimlint: disable\n", "  replicas: 1\n"),
        (
            "  replicas: -1  # nimlint: disable=S004,G001\n",
            "  replicas: -1  # nimlint: disable=S004\n",
        ),
        (
            "  replicas: -1  # nimlint: disable = G001 , S004 why\n",
            "  replicas: -1  # nimlint: disable = S004 why\n",
        ),
        ("  replicas: 1\n  # nimlint: disable-next-line=S004", "  replicas: 1"),
    ],
)
def test_an_unused_suppression_has_a_safe_fix_that_removes_it(before: str, after: str) -> None:
    for newline in ("\n", "\r\n"):
        text, left = _fixed((HEAD + before).replace("\n", newline), mode="safe")
        assert text == (HEAD + after).replace("\n", newline)
        assert "X001" not in [f.rule for f in left]


def test_a_suppression_left_unused_by_a_fix_goes_in_the_same_run() -> None:
    before = HEAD + "  imagePullPolicy: always  # nimlint: disable=S003\n"
    assert _fixed(before, mode="safe")[0] == HEAD + "  imagePullPolicy: Always\n"
