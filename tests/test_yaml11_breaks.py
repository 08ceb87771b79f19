"""Issue 19 item 13: NEL, U+2028 and U+2029 outside quotes are line breaks to YAML 1.1 parsers
(PyYAML) and text to nimlint: such a document reads differently by tool (P013)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli import nimlint

from nimlint.lint import Linter, Options
from nimlint.loading.source import documents

GOOD = (Path(__file__).resolve().parent.parent / "examples" / "llama3-8b-instruct.yaml").read_text(
    "utf-8"
)
REPRO = GOOD + "  # notes\u2028  replicas: -1\n"


def test_the_issue_reproduction_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(REPRO, encoding="utf-8")
    assert yaml.safe_load(REPRO)["spec"]["replicas"] == -1  # what PyYAML deploys
    run = nimlint("check", "--format", "json", "spec.yaml", cwd=tmp_path)
    findings = json.loads(run.stdout)["findings"]
    line = REPRO.count("\n")
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [("P013", line, 10)]
    assert run.returncode == 1


def test_crlf_bom_and_streams_keep_their_positions(tmp_path: Path) -> None:
    text = "\ufeffspec: {}\r\n---\r\nspec:\r\n  # a\x85b\r\n  replicas: 1 \u2029\r\n"
    (tmp_path / "s.yaml").write_bytes(text.encode("utf-8"))
    run = nimlint("check", "--select", "P013", "--format", "json", "s.yaml", cwd=tmp_path)
    found = [(f["line"], f["column"]) for f in json.loads(run.stdout)["findings"]]
    assert found == [(4, 6), (5, 15)] and run.returncode == 1


def test_quoted_scalars_keep_the_character_and_are_not_reported(tmp_path: Path) -> None:
    text = (
        'spec:\n  labels:\n    - {name: team, value: "a\u2028b"}\n'
        "    - {name: t2, value: 'c\x85d'}\n"
    )
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    run = nimlint("check", "--select", "P013", "--format", "json", "s.yaml", cwd=tmp_path)
    assert json.loads(run.stdout)["findings"] == [] and run.returncode == 0
    [doc] = documents(text, is_json=False)
    assert [label["value"] for label in doc.data["spec"]["labels"]] == ["a\u2028b", "c\x85d"]


def test_a_walked_file_that_is_no_nim_body_stays_skipped(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  # a\u2028b\n  k: v\n", encoding="utf-8"
    )
    (tmp_path / "deploy" / "spec.yaml").write_text(GOOD)
    run = nimlint("check", "--format", "json", "deploy", cwd=tmp_path)
    assert {d["file"] for d in json.loads(run.stdout)["documents"]} == {"deploy/spec.yaml"}


def test_fix_leaves_the_character_and_reports_it(tmp_path: Path) -> None:
    text = REPRO.replace('projectId: "', "projectId: ").replace('"\n', "\n", 1)
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    run = nimlint("check", "--fix", "--format", "json", "s.yaml", cwd=tmp_path)
    assert "\u2028" in (tmp_path / "s.yaml").read_text("utf-8")
    assert "P013" in {f["rule"] for f in json.loads(run.stdout)["findings"]}


PIECES = ["spec:\n", "  replicas: 1\n", "  # note\n", "  image: a\n", "  args: |\n    x\n"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=5),
    st.integers(min_value=0),
    st.sampled_from(["\x85", "\u2028", "\u2029"]),
    st.sampled_from(["", "  k: v", "  replicas: -1", "x"]),
)
def test_without_p013_pyyaml_reads_what_nimlint_reads(pieces, where, char, after) -> None:
    """The property the rule holds: without P013 (or a syntax error, P001: the file fails
    either way), PyYAML (YAML 1.1) and nimlint read the same data."""
    text = "".join(pieces)
    cut = where % (len(text) + 1)
    text = text[:cut] + char + after + text[cut:]
    findings = Linter(Options(plugins=False)).lint_bytes(text.encode(), "s.yaml", Path("."))
    if any(f.rule in ("P001", "P013") for f in findings):
        return
    items = list(documents(text, is_json=False))
    ours = [item.data for item in items if hasattr(item, "data")]
    try:
        theirs = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        theirs = "a syntax error"
    assert ours == theirs
