"""--fix, --diff, --unsafe-fixes: fixture pairs byte for byte, the applier, the reports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from nimlint.engine.fix_edits import Change, apply_edits
from nimlint.findings import Edit, Fix, Span
from nimlint.fixer import Candidate, non_overlapping
from nimlint.lint import Linter, Options, lint_files, lint_text
from tests.test_cli import nimlint

ROOT = Path(__file__).resolve().parent.parent
PAIRS = Path(__file__).parent / "fixtures" / "fixes"
SARIF_SCHEMA = next(
    (
        base / "shared" / "reference" / "sarif-schema-2.1.0.json"
        for base in (ROOT.parent, ROOT.parent.parent)  # the main checkout, or a worktree
        if (base / "shared" / "reference" / "sarif-schema-2.1.0.json").is_file()
    ),
    ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json",
)
REPORT_SCHEMA = ROOT / "schemas" / "report.schema.json"


def pair_cases() -> list:
    return [
        pytest.param(before, id=f"{before.parent.name}/{before.suffix[1:]}")
        for folder in sorted(PAIRS.iterdir())
        for before in sorted(folder.glob("before.*"))
    ]


def _unsafe(before: Path) -> bool:
    return before.parent.name.startswith("unsafe-")


def fix_in_process(path: Path, mode: str) -> bytes:
    result = lint_files(Linter(Options(fix=mode)), [str(path)])
    return result.fixed[0].encoded() if result.fixed else path.read_bytes()


@pytest.mark.parametrize("before", pair_cases())
def test_fix_pair_byte_for_byte(before: Path, tmp_path: Path) -> None:
    after = before.with_name("after" + before.suffix)
    target = tmp_path / before.name
    shutil.copyfile(before, target)
    flags = ["--unsafe-fixes"] if _unsafe(before) else []
    result = nimlint("check", "--fix", *flags, str(target))
    assert result.returncode in (0, 1), result.stderr
    assert target.read_bytes() == after.read_bytes()
    assert b"fixed " in result.stderr
    # A second --fix (the same flags) changes nothing.
    assert fix_in_process(target, "unsafe" if _unsafe(before) else "safe") == after.read_bytes()


@pytest.mark.parametrize("before", sorted(PAIRS.glob("unsafe-*/before.*")), ids=str)
def test_unsafe_fixes_need_the_flag(before: Path) -> None:
    assert fix_in_process(before, "safe") == before.read_bytes()


def test_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "spec.yaml"
    shutil.copyfile(PAIRS / "enum-case" / "before.yaml", target)
    result = nimlint("check", "--diff", str(target))
    assert result.returncode == 1
    assert target.read_bytes() == (PAIRS / "enum-case" / "before.yaml").read_bytes()
    diff = result.stdout.decode()
    assert "-  imagePullPolicy: ifNotPresent\n+  imagePullPolicy: IfNotPresent\n" in diff
    assert diff.startswith(f"--- {target}\n+++ {target}\n@@ ")
    clean = nimlint("check", "--diff", str(PAIRS / "enum-case" / "after.yaml"))
    assert (clean.returncode, clean.stdout) == (0, b"")


def test_stdin_fix_writes_the_document_to_stdout() -> None:
    before = (PAIRS / "quote-number" / "before.yaml").read_bytes()
    result = nimlint("check", "--fix", "-", stdin=before)
    assert result.stdout == (PAIRS / "quote-number" / "after.yaml").read_bytes()
    assert b"fixed 3 findings" in result.stderr


def test_stdin_fix_without_fixes_echoes_the_document() -> None:
    after = (PAIRS / "quote-number" / "after.yaml").read_bytes()
    assert nimlint("check", "--fix", "-", stdin=after).stdout == after


def test_unsafe_fixes_alone_is_a_usage_error() -> None:
    result = nimlint("check", "--unsafe-fixes", "examples/")
    assert result.returncode == 2
    assert b"--unsafe-fixes needs --fix or --diff" in result.stderr


def test_suppressed_finding_is_not_fixed() -> None:
    text = (PAIRS / "enum-case" / "before.yaml").read_text()
    text = text.replace("ifNotPresent", "ifNotPresent  # nimlint: disable=S002")
    fixes = [f.fix for f in lint_text(text, "spec.yaml", Options(fixes=True)) if f.fix]
    assert fixes and all(e.content != "IfNotPresent" for f in fixes for e in f.edits)


def test_no_fix_in_a_stream_with_a_syntax_error() -> None:
    text = (PAIRS / "enum-case" / "before.yaml").read_text() + "---\nspec: [unclosed\n"
    findings = lint_text(text, "spec.yaml", Options(fixes=True))
    assert any(f.rule == "P001" for f in findings)
    assert any(f.rule == "S002" for f in findings)
    assert all(f.fix is None for f in findings)


def test_no_fix_for_a_rule_that_declares_none() -> None:
    text = "metadata: {name: a, projectId: '1'}\nspec: {replicas: -1}\n"
    findings = lint_text(text, "a.yaml", Options(fixes=True))
    assert [f.rule for f in findings if f.rule == "S004"] and all(f.fix is None for f in findings)


def _fix(message: str, *spans: tuple[int, int, str]) -> Fix:
    return Fix("safe", message, tuple(Edit(s, e, c, Span(1, 1, 1, 1)) for s, e, c in spans))


def apply_fixes(text: str, fixes: list[Fix]) -> tuple[str, int]:
    """``text`` with the fixes one pass takes, and how many findings that fixes."""
    chosen, _ = non_overlapping([Candidate(fix, 0, Change("replace", "")) for fix in fixes])
    taken = {c.fix.edits for c in chosen}
    edited = apply_edits(text, tuple(e for c in chosen for e in c.fix.edits))
    return edited, sum(fix.edits in taken for fix in fixes)


def test_applier_defers_overlapping_fixes_and_merges_identical_ones() -> None:
    text = "abcdefghij"
    fixes = [
        _fix("upper b-d", (1, 4, "BCD")),
        _fix("drop c-e", (2, 5, "")),  # overlaps the first: next pass
        _fix("same as first", (1, 4, "BCD")),  # identical: counts as applied
        _fix("two edits", (0, 1, "A"), (9, 10, "J")),
    ]
    assert apply_fixes(text, fixes) == ("ABCDefghiJ", 3)


def test_applier_keeps_adjacent_edits() -> None:
    assert apply_fixes("a, b, c", [_fix("b", (1, 4, "")), _fix("c", (4, 7, ""))]) == ("a", 2)


def test_json_report_carries_fixes_and_validates() -> None:
    result = nimlint("check", "--format", "json", str(PAIRS / "exists-value" / "before.json"))
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text())).validate(report)
    fixed = [f for f in report["findings"] if "fix" in f]
    assert [f["rule"] for f in fixed] == ["T003", "T003"]
    assert fixed[0]["fix"] == {
        "applicability": "safe",
        "message": "remove spec.tolerations[0].value",
        "edits": [{"line": 12, "column": 29, "endLine": 13, "endColumn": 27, "content": ""}],
    }


def test_sarif_fixes_validate_against_the_oasis_schema() -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the OASIS SARIF 2.1.0 schema is not at {SARIF_SCHEMA}")
    before = PAIRS / "unsafe-rename-key" / "before.yaml"
    log = json.loads(nimlint("check", "--format", "sarif", str(before)).stdout)
    validator = jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    assert not [e.message for e in validator.iter_errors(log)]
    fixes = [r["fixes"] for r in log["runs"][0]["results"] if "fixes" in r]
    assert len(fixes) == 2  # gpuDeviceRequest and metricPort
    change = fixes[0][0]["artifactChanges"][0]
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 8, "startColumn": 5, "endLine": 8, "endColumn": 21},
            "insertedContent": {"text": "gpuDevicesRequest"},
        }
    ]


def test_plain_check_does_not_import_ruamel() -> None:
    code = (
        "import sys\nfrom nimlint.cli import main\n"
        f"sys.argv = ['nimlint', 'check', {str(PAIRS / 'enum-case' / 'before.yaml')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('RUAMEL' if any(m.startswith('ruamel') for m in sys.modules) else 'CLEAN')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=60)
    assert out.stdout.decode().splitlines()[-1] == "CLEAN"


def test_fix_with_worker_processes(tmp_path: Path) -> None:
    pairs = [PAIRS / "enum-case" / "before.yaml", PAIRS / "quote-number" / "before.json"]
    for before in pairs:
        shutil.copyfile(before, tmp_path / f"{before.parent.name}{before.suffix}")
    result = nimlint("check", "--fix", "--jobs", "2", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    for before in pairs:
        after = before.with_name("after" + before.suffix).read_bytes()
        assert (tmp_path / f"{before.parent.name}{before.suffix}").read_bytes() == after


def test_every_fixable_finding_has_its_fix_and_one_pass_takes_them_all() -> None:
    head = 'metadata: {name: a, projectId: "1"}\nspec:\n  environmentVariables:\n'
    count = 120  # more than the 100 fixes a lint used to resolve
    text = head + "".join(f"    - {{name: V{i}, value: {i}}}\n" for i in range(count))
    findings = lint_text(text, "many.yaml", Options(fixes=True))
    assert sum(1 for f in findings if f.rule == "S001") == count
    assert sum(1 for f in findings if f.fix) == count
    fixed = Linter(Options(fix="safe")).fix_bytes(text.encode(), "many.yaml", ROOT, "many.yaml")
    assert fixed.fixed == count and not [f for f in fixed.findings if f.rule == "S001"]


def test_fix_mode_lints_a_file_once_per_pass(tmp_path: Path, monkeypatch) -> None:
    """The first lint's findings (with fixes) start the fixing: no second lint of the same text."""
    from nimlint.lint import lint_files

    spec = tmp_path / "spec.yaml"
    spec.write_text("metadata: {name: a, projectId: 1}\nspec: {replicas: 1}\n")
    linter = Linter(Options(fix="safe"))
    texts = []
    lint_file = linter.lint_file
    monkeypatch.setattr(
        linter, "lint_file", lambda raw, *a, **k: texts.append(raw) or lint_file(raw, *a, **k)
    )
    result = lint_files(linter, [str(spec)])
    assert [f.fixed for f in result.fixed] == [1]
    assert texts == [spec.read_bytes(), result.fixed[0].encoded()]  # before and after the pass


# --- removals and the comments around them -----------------------------------------------

HEAD = 'metadata:\n  name: llama\n  projectId: "1"\nspec:\n  image: nvcr.io/nim/x:1\n'


def _safe_fix(text: str) -> tuple[str, list[str]]:
    """The text after ``--fix`` and the rules of the fixable findings left."""
    fixed = Linter(Options(fix="safe")).fix_bytes(text.encode(), "spec.yaml", ROOT, "spec.yaml")
    return fixed.text, [f.rule for f in fixed.findings if f.fix]


def test_removing_an_entry_keeps_the_comment_lines_inside_it() -> None:
    # The property test's failure, made minimal: a comment between the keys of the
    # duplicate entry that the fix removes was removed with it.
    entry = "  - name: ngc\n    userCredential: false\n"
    before = f"{HEAD}  imagePullSecrets:\n{entry}  - name: ngc\n# keep me\n"
    before += "    userCredential: false\n    # and me\n  ngcAuthSecret: ngc\n"
    after = f"{HEAD}  imagePullSecrets:\n{entry}# keep me\n    # and me\n  ngcAuthSecret: ngc\n"
    assert _safe_fix(before) == (after, [])
    assert _safe_fix(before.replace("\n", "\r\n")) == (after.replace("\n", "\r\n"), [])


def test_a_hash_inside_a_removed_value_is_text_and_goes_with_it() -> None:
    entry = "  - name: A\n    value: |\n      # text\n  - name: B\n    value: 'a\n\n      # text'\n"
    kept = "  # a comment\n"
    assert _safe_fix(f"{HEAD}  environmentVariables:\n{entry}{entry}{kept}") == (
        f"{HEAD}  environmentVariables:\n{entry}{kept}",
        [],
    )


def test_a_flow_entry_with_a_comment_inside_gets_no_fix() -> None:
    before = f"{HEAD}  labels: [{{name: a, value: b}}, {{name: a, # c\n    value: b}}]\n"
    text, fixable = _safe_fix(before)
    assert text == before and not fixable
    assert "K005" in [f.rule for f in lint_text(before, "spec.yaml", Options(fixes=True))]
