"""Configuration files, CLI precedence, per-file ignores and inline suppressions, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from test_cli import nimlint
from test_trust import HOUSE_RULE

BAD = 'metadata: {name: a, projectId: "1"}\nspec:\n  replicas: -1\n  replica: 2\n'


def rules_found(result) -> list[str]:
    return sorted(f["rule"] for f in json.loads(result.stdout)["findings"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "deploy" / "legacy").mkdir(parents=True)
    (tmp_path / "deploy" / "a.yaml").write_text(BAD)
    (tmp_path / "deploy" / "legacy" / "b.yaml").write_text(BAD)
    return tmp_path


def check(project: Path, *args: str):
    return nimlint("check", "--select", "S", "--format", "json", *args, "deploy", cwd=project)


def test_no_config(project: Path) -> None:
    assert rules_found(check(project)) == ["S004", "S004", "S008", "S008"]


def test_nimlint_yaml_ignore_and_per_file_ignores(project: Path) -> None:
    (project / ".nimlint.yaml").write_text(
        "ignore: [S008]\nper-file-ignores:\n  'deploy/legacy/*': [S004]\n"
    )
    result = nimlint("check", "--format", "json", "deploy", cwd=project)
    found = [(Path(f["file"]).name, f["rule"]) for f in json.loads(result.stdout)["findings"]]
    assert ("a.yaml", "S004") in found
    assert not any(rule == "S008" for _, rule in found)
    assert ("b.yaml", "S004") not in found


def test_pyproject_table_and_cli_precedence(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.nimlint]\nselect = ["S008"]\nseverity = {S008 = "error"}\nfail-on = "error"\n'
    )
    result = nimlint("check", "--format", "json", "deploy", cwd=project)
    assert rules_found(result) == ["S008", "S008"]
    assert result.returncode == 1
    overridden = nimlint("check", "--select", "S004", "--format", "json", "deploy", cwd=project)
    assert rules_found(overridden) == ["S004", "S004"]


def test_config_found_upward_from_the_file(project: Path) -> None:
    (project / "deploy" / "legacy" / ".nimlint.yaml").write_text("ignore: [S]\n")
    result = check(project)
    files = {Path(f["file"]).name for f in json.loads(result.stdout)["findings"]}
    assert files == {"a.yaml"}


def test_explicit_config_file(project: Path) -> None:
    config = project / "strict.yaml"
    config.write_text("select: [S004]\n")
    result = nimlint("check", "--config", str(config), "--format", "json", "deploy", cwd=project)
    assert rules_found(result) == ["S004", "S004"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("colour: always\n", "unknown key 'colour'"),
        ("fail-on: fatal\n", "key 'fail-on': unknown severity 'fatal'"),
        ("severity: {S008: loud}\n", "key 'severity'.S008: unknown severity 'loud'"),
        ("select: [Q]\n", "unknown rule id, prefix or name 'Q'"),
        ("extra-rules: missing.yaml\n", "missing.yaml: no such rule file or folder"),
        ("ignore: [S008\n", "cannot parse"),
    ],
)
def test_bad_config_is_exit_two_with_file_key_and_reason(
    project: Path, text: str, reason: str
) -> None:
    (project / ".nimlint.yaml").write_text(text)
    result = nimlint("check", "deploy", cwd=project)
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert ".nimlint.yaml" in stderr or "missing.yaml" in stderr
    assert reason in stderr
    assert "Traceback" not in stderr


def test_extra_rules_from_config_and_cli(project: Path) -> None:
    (project / "house.yaml").write_text(HOUSE_RULE)
    spec = project / "deploy" / "a.yaml"
    spec.write_text('metadata: {name: a, projectId: "1"}\nspec: {replicas: 7}\n')
    by_cli = nimlint(
        "check",
        "--rules",
        "house.yaml",
        "--select",
        "HOUSE",
        "--format",
        "json",
        "deploy/a.yaml",
        cwd=project,
    )
    assert rules_found(by_cli) == ["HOUSE001"]
    (project / ".nimlint.yaml").write_text("extra-rules: [house.yaml]\nselect: [HOUSE]\n")
    assert rules_found(nimlint("check", "--format", "json", "deploy/a.yaml", cwd=project)) == [
        "HOUSE001"
    ]
    duplicate = nimlint("check", "--rules", "house.yaml", "deploy/a.yaml", cwd=project)
    assert duplicate.returncode == 2 and b"duplicate rule id HOUSE001" in duplicate.stderr


def test_inline_suppressions(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "# nimlint: disable-file=S005\n"
        'metadata: {name: a, projectId: "1"}\n'
        "spec:\n"
        '  image: ""\n'
        "  replicas: -1  # nimlint: disable=S004\n"
        "  # nimlint: disable-next-line=S008\n"
        "  replica: 2\n"
        "  servingPort: {port: 70000}  # nimlint: disable\n"
        "  nodePools: [a]  # nimlint: disable=S001,S004\n"
    )
    result = nimlint("check", "--select", "S,X", "--format", "json", str(spec))
    found = [(f["rule"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert [(rule, line) for rule, line, _ in found] == [("X001", 9), ("X001", 9)]
    assert "S001" in found[0][2] and "S004" in found[1][2]


def test_a_custom_rule_reusing_a_built_in_name_is_refused(tmp_path: Path) -> None:
    """Else --ignore NAME silences one rule while `nimlint rule NAME` shows the other."""
    (tmp_path / "house.yaml").write_text(
        HOUSE_RULE.replace("HOUSE001", "ACME001").replace(
            yaml.safe_load(HOUSE_RULE)["rules"][0]["name"], "portion-needs-portion-request"
        )
    )
    (tmp_path / "a.yaml").write_text("spec: {replicas: 1}\n")
    for args in (("check", "a.yaml"), ("rules",), ("rule", "ACME001")):
        result = nimlint(*args[:1], "--rules", "house.yaml", *args[1:], cwd=tmp_path)
        err = result.stderr.decode()
        assert result.returncode == 2, (args, err)
        assert "duplicate rule name portion-needs-portion-request: G001" in err, err
        assert "house.yaml" in err and "compute" in err, err


NO_IMAGE = 'metadata: {name: a, projectId: "1"}\nspec:\n  servingPort: {port: 8000}\n'


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_per_file_ignores_do_not_depend_on_the_working_folder(tmp_path: Path, jobs: str) -> None:
    (tmp_path / ".nimlint.yaml").write_text("per-file-ignores:\n  'legacy/*': [I001]\n")
    for name in ("legacy/old/a.yaml", "legacy/b.yaml", "deploy/c.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(NO_IMAGE)
    expected = {"c.yaml"}  # fnmatch's "*" crosses "/": legacy/old/a.yaml matches too
    for cwd, paths in (
        (tmp_path, ["."]),
        (tmp_path / "legacy" / "old", ["../..", "../../deploy/c.yaml"]),
        (tmp_path / "deploy", ["..", str(tmp_path / "deploy" / "c.yaml")]),
    ):
        result = nimlint(
            "check", "--jobs", jobs, "--select", "I001", "--format", "json", *paths, cwd=cwd
        )
        files = {Path(f["file"]).name for f in json.loads(result.stdout)["findings"]}
        assert files == expected, (cwd, paths, files)
