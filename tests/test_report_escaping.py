"""Issue 19 item 14: one escaping, applied to every format's every string. A file name holding
bidi and control characters loses nothing in any format (runai's complianceIssues, JSON's
documents, text's notes) and reaches no output raw."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_cli import nimlint

from nimlint.report import FORMATS

POLICY = Path(__file__).parent / "fixtures" / "policy"
NAME = "llama\u202egpj.\x1b[31m\u200b.yaml"  # reads "llama.jpg" reversed; ESC; zero width
SHOWN = "llama\\u202egpj.\\x1b[31m\\u200b.yaml"
SKIPPED = "cm\u202e.yaml"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("escaping")
    (folder / "deploy").mkdir()
    shutil.copy(POLICY / "request.yaml", folder / "deploy" / NAME)
    shutil.copy(POLICY / "request.yaml", folder / "deploy" / "plain.yaml")
    (folder / "deploy" / SKIPPED).write_text("apiVersion: v1\nkind: ConfigMap\n")
    shutil.copy(POLICY / "cluster.yaml", folder / "policy.yaml")
    found = {}
    for fmt in FORMATS:
        run = nimlint("check", "--policy", "policy.yaml", "--format", fmt, "deploy", cwd=folder)
        assert run.returncode == 1, run.stderr
        found[fmt] = run.stdout.decode("utf-8")
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_prints_a_control_or_bidi_character(outputs, fmt: str) -> None:
    text = outputs[fmt]
    raw = sorted({c for line in text.splitlines() for c in line if not c.isprintable()})
    assert raw == []
    assert "\\u202e" in text or "\\\\u202e" in text or "%5Cu202e" in text


def test_runai_keeps_the_compliance_issues_of_such_a_file(outputs) -> None:
    """The same request under two names: the same issues, whatever the name holds."""
    entries = {entry["file"]: entry for entry in json.loads(outputs["runai"])}
    assert set(entries) == {f"deploy/{SHOWN}", "deploy/plain.yaml"}
    issues = entries[f"deploy/{SHOWN}"]["complianceIssues"]
    assert issues and issues == entries["deploy/plain.yaml"]["complianceIssues"]


def test_json_keeps_the_documents_of_such_a_file(outputs) -> None:
    report = json.loads(outputs["json"])
    both = sorted(["deploy/plain.yaml", f"deploy/{SHOWN}"])
    assert sorted(d["file"] for d in report["documents"]) == both
    assert sorted({f["file"] for f in report["findings"]}) == both


def test_text_keeps_the_kind_note_of_such_a_file(outputs) -> None:
    assert f"= note: deploy/{SHOWN} read as create" in outputs["text"]


def test_every_report_field_is_escaped_or_ours() -> None:
    """A new Report field holding outside text must be added to report._escaped: this list
    says which fields it escapes and which hold only nimlint's own values."""
    from nimlint.report import Report

    escaped = {"findings", "files", "rules", "fail_on", "sources", "kinds", "policed", "skipped"}
    escaped |= {"errors", "omitted"}
    ours = {"version", "unlinted", "quiet"}
    assert set(Report._fields) == escaped | ours
