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


# --- extend: a nested configuration that inherits another's keys ---------------------------

BAD_CREATE = 'metadata: {name: a, projectId: "1"}\nspec:\n  replicas: -1\n  replica: 2\n'


def _team_tree(root: Path, team_config: str) -> Path:
    """A repository (files outside one may name only files below the working folder)."""
    (root / ".git").mkdir()
    files = {
        ".nimlint.yaml": (
            "ignore: [S008]\n"
            "kinds: {'deploy/team-a/updates/*': update}\n"
            "extend-exclude: [rendered/]\n"
        ),
        "deploy/team-a/.nimlint.yaml": team_config,
        "deploy/team-a/a.yaml": BAD_CREATE,
        "deploy/team-a/legacy/b.yaml": BAD_CREATE,
        "deploy/team-a/updates/u.yaml": "spec:\n  replicas: -1\n  replica: 2\n",
        "deploy/team-a/rendered/r.yaml": BAD_CREATE,
        "deploy/team-a/tmp/t.yaml": BAD_CREATE,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _report(result) -> dict:
    import json

    assert result.returncode in (0, 1), result.stderr.decode()
    return json.loads(result.stdout)


def test_extend_inherits_keys_with_globs_relative_to_the_file_that_wrote_them(
    tmp_path: Path,
) -> None:
    team = "extend: ../../.nimlint.yaml\nper-file-ignores: {'legacy/*': [S004]}\n"
    team += "extend-exclude: [tmp/]\n"
    _team_tree(tmp_path, team)
    for cwd, path in ((tmp_path, "deploy/team-a"), (tmp_path / "deploy" / "team-a", ".")):
        report = _report(nimlint("check", "--select", "S", "--format", "json", path, cwd=cwd))
        found = sorted((Path(f["file"]).name, f["rule"]) for f in report["findings"])
        # S008 ignored (inherited); S004 ignored under legacy/ (own, relative to team-a);
        # rendered/ and tmp/ excluded (both extend-exclude lists)
        assert found == [("a.yaml", "S004"), ("u.yaml", "S004")], found
        kinds = {Path(d["file"]).name: (d["kind"], d["kindFrom"]) for d in report["documents"]}
        assert kinds["u.yaml"] == ("update", "config")  # the root's glob, relative to the root


def test_without_extend_the_nearest_configuration_replaces_the_root_one(tmp_path: Path) -> None:
    _team_tree(tmp_path, "per-file-ignores: {'legacy/*': [S004]}\n")
    report = _report(
        nimlint("check", "--select", "S", "--format", "json", "deploy/team-a", cwd=tmp_path)
    )
    assert "S008" in {f["rule"] for f in report["findings"]}


def test_extend_overrides_the_keys_it_sets(tmp_path: Path) -> None:
    _team_tree(tmp_path, "extend: ../../.nimlint.yaml\nignore: [S004]\n")
    report = _report(
        nimlint("check", "--select", "S", "--format", "json", "deploy/team-a", cwd=tmp_path)
    )
    assert {f["rule"] for f in report["findings"]} == {"S008"}


def test_extend_chains_and_refuses_cycles(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(WARNS)
    (tmp_path / "base.yaml").write_text("fail-on: warning\n")
    (tmp_path / "mid.yaml").write_text("extend: base.yaml\n")
    (tmp_path / ".nimlint.yaml").write_text("extend: mid.yaml\n")
    assert nimlint("check", "spec.yaml", cwd=tmp_path).returncode == 1  # fail-on from base
    (tmp_path / "base.yaml").write_text("extend: .nimlint.yaml\n")
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert errors(result) == [
        "nimlint: error: base.yaml: key 'extend': a cycle: .nimlint.yaml -> mid.yaml "
        "-> base.yaml -> .nimlint.yaml"
    ], errors(result)


def test_extend_of_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(WARNS)
    (tmp_path / ".nimlint.yaml").write_text("extend: nowhere.yaml\n")
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert errors(result)[0].startswith("nimlint: error: .nimlint.yaml: key 'extend': ")
    assert "nowhere.yaml" in errors(result)[0]


# --- paths from the configuration print as the user would type them ------------------------

POLICY_FIXTURES = Path(__file__).parent / "fixtures" / "rules" / "C005"


def test_configured_paths_print_relative_to_the_working_folder(tmp_path: Path) -> None:
    import json

    (tmp_path / "pol.yaml").write_text((POLICY_FIXTURES / "policy.yaml").read_text())
    (tmp_path / "spec.yaml").write_text((POLICY_FIXTURES / "bad-not-an-option.yaml").read_text())
    (tmp_path / ".nimlint.yaml").write_text("policy: pol.yaml\nselect: [C]\n")
    by_config = nimlint("check", "--format", "json", "spec.yaml", cwd=tmp_path)
    by_option = nimlint(
        "check",
        "--select",
        "C",
        "--policy",
        "pol.yaml",
        "--format",
        "json",
        "spec.yaml",
        cwd=tmp_path,
    )
    messages = [f["message"] for f in json.loads(by_config.stdout)["findings"]]
    assert messages == [f["message"] for f in json.loads(by_option.stdout)["findings"]]
    assert messages and all("pol.yaml:" in m and str(tmp_path) not in m for m in messages)
    # errors about configured files name them the same way
    (tmp_path / ".nimlint.yaml").write_text(
        "policy: missing-policy.yaml\nextra-rules: [missing-rules.yaml]\n"
    )
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2 and errors(result)
    assert all(str(tmp_path) not in line for line in errors(result)), errors(result)


# --- every configuration problem in one run, each blamed on its place ----------------------


def test_every_file_problem_of_a_configuration_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(WARNS)
    (tmp_path / ".nimlint.yaml").write_text(
        "extra-rules: [lint/house.yaml]\nopenapi: api/runai.json\npolicy: [policies/a.yaml]\n"
        "select: [Q999]\n"
    )
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    found = errors(result)
    for needle in ("lint/house.yaml", "api/runai.json", "policies/a.yaml"):
        assert sum(needle in line for line in found) == 1, (needle, found)
    # rule ids are checked once the rule files load (an id may be a rule file's)
    (tmp_path / ".nimlint.yaml").write_text(
        "openapi: api/runai.json\npolicy: [policies/a.yaml]\nselect: [Q999]\n"
    )
    found = errors(nimlint("check", "spec.yaml", cwd=tmp_path))
    for needle in ("api/runai.json", "policies/a.yaml", "'Q999'"):
        assert sum(needle in line for line in found) == 1, (needle, found)


def test_a_bad_command_line_selector_names_the_option(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(WARNS)
    (tmp_path / ".nimlint.yaml").write_text("ignore: [S008]\n")
    for option, value in (("--select", "Q999"), ("--ignore", "Q999"), ("--severity", "Q999=info")):
        result = nimlint("check", option, value, "spec.yaml", cwd=tmp_path)
        assert result.returncode == 2
        assert errors(result) == [
            f"nimlint: error: {option}: unknown rule id, prefix or name 'Q999'"
        ], errors(result)


def test_rule_ids_are_matched_in_any_case(tmp_path: Path) -> None:
    import json

    spec = tmp_path / "spec.yaml"
    spec.write_text("spec:\n  replicas: -1  # nimlint: disable=s004\n  replica: 2\n")
    (tmp_path / "other.yaml").write_text(WARNS)

    def rules(*args: str) -> list[tuple[str, str, str]]:
        result = nimlint("check", "--format", "json", *args, cwd=tmp_path)
        assert result.returncode in (0, 1), result.stderr.decode()
        return sorted(
            (f["file"], f["rule"], f["severity"]) for f in json.loads(result.stdout)["findings"]
        )

    assert rules("--select", "s008", "spec.yaml") == [("spec.yaml", "S008", "warning")]
    assert rules("--select", "s", "--severity", "s008=error", "spec.yaml") == [
        ("spec.yaml", "S008", "error")
    ]
    assert rules("--ignore", "s008,x", "spec.yaml") == []
    (tmp_path / ".nimlint.yaml").write_text(
        "select: [s]\nper-file-ignores: {'other.yaml': [s008]}\nseverity: {s008: info}\n"
    )
    assert rules("spec.yaml", "other.yaml") == [("spec.yaml", "S008", "info")]


def test_unknown_keys_get_a_did_you_mean_with_their_line(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(WARNS)
    (tmp_path / ".nimlint.yaml").write_text("# team settings\nselct: [S]\nfail_on: warning\n")
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    found = errors(result)
    assert found[0].startswith(
        "nimlint: error: .nimlint.yaml:2: unknown key 'selct' (did you mean 'select'?"
    ), found
    assert found[1].startswith(
        "nimlint: error: .nimlint.yaml:3: unknown key 'fail_on' (did you mean 'fail-on'?"
    ), found
    (tmp_path / "pyproject.toml").write_text('[tool.nimlint]\n\nfail_on = "warning"\n')
    (tmp_path / ".nimlint.yaml").unlink()
    found = errors(nimlint("check", "spec.yaml", cwd=tmp_path))
    assert found[0].startswith(
        "nimlint: error: pyproject.toml:3: unknown key 'fail_on' (did you mean 'fail-on'?"
    ), found


def test_unknown_rule_ids_get_a_did_you_mean_with_their_line(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(WARNS)
    (tmp_path / ".nimlint.yaml").write_text(
        "select:\n  - S\n  - S0008\nseverity:\n  unknown-kye: error\n"
        "per-file-ignores:\n  'x/*': [I01]\n"
    )
    result = nimlint("check", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert errors(result) == [
        "nimlint: error: .nimlint.yaml:3: key 'select': unknown rule id, prefix or name "
        "'S0008' (did you mean 'S008'?)",
        "nimlint: error: .nimlint.yaml:7: key 'per-file-ignores': unknown rule id, prefix or "
        "name 'I01' (did you mean 'I001'?)",
        "nimlint: error: .nimlint.yaml:5: key 'severity': unknown rule id, prefix or name "
        "'unknown-kye' (did you mean 'unknown-key'?)",
    ], errors(result)
    result = nimlint("check", "--select", "G0O1", "spec.yaml", cwd=tmp_path)
    assert errors(result)[0] == (
        "nimlint: error: --select: unknown rule id, prefix or name 'G0O1' (did you mean 'G001'?)"
    )
