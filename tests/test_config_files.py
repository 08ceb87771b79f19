"""Configuration files are read as their formats define, and every error is told at once."""

from __future__ import annotations

from pathlib import Path

from test_cli import nimlint

WARNS = "spec:\n  replica: 2\n"  # an update whose only finding is S008, a warning


def errors(result) -> list[str]:
    return [line for line in result.stderr.decode().splitlines() if line.startswith("nimlint:")]


def test_dotted_toml_keys_are_a_nimlint_table(tmp_path: Path) -> None:
    # `[tool]` + `nimlint.fail-on = ...` is the same table as `[tool.nimlint]` in TOML.
    (tmp_path / "pyproject.toml").write_text('[tool]\nnimlint.fail-on = "warning"\n')
    (tmp_path / "spec.yaml").write_text(WARNS)
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout.decode() + result.stderr.decode()


def test_a_mention_of_nimlint_is_not_a_table(tmp_path: Path) -> None:
    # 0.1.0 searched the text for "[tool.nimlint": a string that mentions it made this
    # pyproject.toml the (empty) configuration and hid the real one in the folder above.
    (tmp_path / ".nimlint.yaml").write_text("fail-on: warning\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndescription = "see [tool.nimlint] in the docs"\n'
    )
    (tmp_path / "app" / "spec.yaml").write_text(WARNS)
    result = nimlint("check", "app/spec.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout.decode() + result.stderr.decode()


def test_a_broken_pyproject_with_a_nimlint_table_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.nimlint]\nfail-on = "warning\n')
    (tmp_path / "spec.yaml").write_text(WARNS)
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    (line,) = errors(result)
    assert "pyproject.toml: cannot parse:" in line and "line 2" in line


def test_yaml_config_errors_name_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / ".nimlint.yaml").write_text("select: [G001\nignore: [S008]\n")
    (tmp_path / "spec.yaml").write_text(WARNS)
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    (line,) = errors(result)
    assert ".nimlint.yaml:2:" in line and "<unicode string>" not in line, line


def test_every_error_of_a_config_file_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / ".nimlint.yaml").write_text(
        "fail-on: sometimes\nselect: 7\nminimum: 3\nrespect-gitignore: maybe\n"
    )
    (tmp_path / "spec.yaml").write_text(WARNS)
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    found = "\n".join(errors(result))
    for key in ("'minimum'", "'fail-on'", "'select'", "'respect-gitignore'"):
        assert key in found, found
    assert len(errors(result)) == 4


def test_every_unknown_rule_id_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / ".nimlint.yaml").write_text("select: [Q999]\nignore: [Z123]\n")
    (tmp_path / "spec.yaml").write_text(WARNS)
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert len(errors(result)) == 2, errors(result)


def test_a_bad_config_is_the_same_error_with_workers(tmp_path: Path) -> None:
    (tmp_path / ".nimlint.yaml").write_text("fail-on: sometimes\n")
    for index in range(4):
        (tmp_path / f"spec{index}.yaml").write_text(WARNS)
    alone = nimlint("check", "--jobs", "1", ".", cwd=tmp_path)
    workers = nimlint("check", "--jobs", "2", ".", cwd=tmp_path)
    assert alone.returncode == workers.returncode == 2
    assert errors(alone) == errors(workers) and len(errors(alone)) == 1


def test_isolated_walks_without_the_config_excludes(tmp_path: Path) -> None:
    (tmp_path / ".nimlint.yaml").write_text("extend-exclude: [spec.yaml]\n")
    (tmp_path / "spec.yaml").write_text(WARNS)
    (tmp_path / "other.yaml").write_text(WARNS)
    configured = nimlint("check", "--format", "json", ".", cwd=tmp_path)
    isolated = nimlint("check", "--isolated", "--format", "json", ".", cwd=tmp_path)
    assert b"spec.yaml" not in configured.stdout
    assert b"spec.yaml" in isolated.stdout
