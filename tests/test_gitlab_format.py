"""--format gitlab: GitLab's Code Quality report, checked against GitLab's documented format
(tests/fixtures/report/gitlab-code-quality.schema.json says where it comes from)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from nimlint.findings import Severity
from nimlint.report import render
from tests.test_cli import nimlint
from tests.test_report_formats import SCENARIOS, _report

SCHEMA = json.loads(
    (Path(__file__).parent / "fixtures" / "report" / "gitlab-code-quality.schema.json").read_text(
        "utf-8"
    )
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
BAD = "metadata:\n  name: llama\nspec:\n  replicas: -1\n  servingPort: {port: 0}\n"


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_each_finding_is_an_issue_with_its_place_and_severity() -> None:
    issues = json.loads(render(SCENARIOS["problems"], "gitlab"))
    VALIDATOR.validate(issues)
    assert [(i["check_name"], i["severity"]) for i in issues] == [
        ("S001", "major"),
        ("N101", "minor"),
        ("N204", "info"),
    ]
    first = issues[0]
    assert first["description"] == 'S001: gpuDevicesRequest must be an integer, not the string "1"'
    assert first["location"] == {"path": "specs/llama-3-8b.yaml", "lines": {"begin": 9, "end": 9}}
    assert len({i["fingerprint"] for i in issues}) == 3
    assert json.loads(render(SCENARIOS["clean"], "gitlab")) == []


@settings(max_examples=50, deadline=None)
@given(st.text(), st.text(min_size=1), st.sampled_from(list(Severity)))
def test_any_text_makes_a_valid_report(message: str, file: str, severity: Severity) -> None:
    VALIDATOR.validate(json.loads(render(_report(message, file, severity), "gitlab")))


def _gitlab(tmp_path: Path, text: str) -> list[dict]:
    (tmp_path / "spec.yaml").write_text(text, "utf-8")
    result = nimlint("check", "--format", "gitlab", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    issues = json.loads(result.stdout)
    VALIDATOR.validate(issues)
    return issues


def test_fingerprints_survive_lines_moving_above(tmp_path: Path) -> None:
    before = _gitlab(tmp_path, BAD)
    after = _gitlab(tmp_path, "# a comment\n# and another\n\n" + BAD)
    assert [i["location"]["lines"]["begin"] + 3 for i in before] == [
        i["location"]["lines"]["begin"] for i in after
    ]
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert len({i["fingerprint"] for i in before}) == len(before) >= 2


def test_identical_findings_get_distinct_fingerprints(tmp_path: Path) -> None:
    """Two documents with the same problem: GitLab shows findings with one fingerprint once."""
    issues = _gitlab(tmp_path, BAD + "---\n" + BAD)
    assert len(issues) >= 4 and len({i["fingerprint"] for i in issues}) == len(issues)
