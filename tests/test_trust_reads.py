"""Issue 19 items 3, 4 and 12: what a checkout can make nimlint read and print, and which of
its files are linted (symlinks in and out of the repository, files git tracks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import nimlint

SPEC = 'metadata: {name: a, projectId: "1"}\nspec: {}\n'
SECRET = (
    "-----BEGIN OPENSSH PRIVATE KEY----- " + "b3BlbnNzaC1rZXktdjEAAAAA" * 40 + "SECRETTAIL"
    " -----END OPENSSH PRIVATE KEY-----\n"
)


def checkout(tmp_path: Path) -> Path:
    """A git work tree holding one spec, and a private key outside it."""
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "id_ed25519").write_text(SECRET)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "lint").mkdir()
    (repo / "spec.yaml").write_text(SPEC)
    return repo


# item 4: reading out


OPTIONS = ["--rules", "--policy", "--openapi", "--config"]


@pytest.mark.parametrize("option", OPTIONS)
def test_a_file_linked_out_of_the_repository_is_not_read(tmp_path: Path, option: str) -> None:
    repo = checkout(tmp_path)
    (repo / "lint" / "house.yaml").symlink_to("../../home/id_ed25519")
    isolated = () if option == "--config" else ("--isolated",)
    run = nimlint("check", *isolated, option, "lint/house.yaml", "spec.yaml", cwd=repo)
    assert run.returncode == 2
    assert b"PRIVATE KEY" not in run.stderr + run.stdout
    assert b"outside the repository" in run.stderr


def test_a_base_linked_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    (repo / "lint" / "base.yaml").symlink_to("../../home/id_ed25519")
    (repo / "update.yaml").write_text("spec: {replicas: 2}\n")
    run = nimlint("check", "--base", "lint/base.yaml", "update.yaml", cwd=repo)
    assert run.returncode == 2 and b"outside the repository" in run.stderr
    assert b"PRIVATE KEY" not in run.stderr + run.stdout


@pytest.mark.parametrize("option", [*OPTIONS, "--base"])
@pytest.mark.parametrize("shape", ["{}", '"{}"', "- {}", "a: [{}", "{{{}"])
def test_every_message_quoting_a_file_is_clipped(tmp_path: Path, option: str, shape: str) -> None:
    """A file of the checkout itself, in any shape that makes it invalid: at most ~200
    characters of it are quoted."""
    repo = checkout(tmp_path)
    (repo / "lint" / "house.yaml").write_text(shape.format(SECRET.strip()) + "\n")
    (repo / "update.yaml").write_text("spec: {replicas: 2}\n")
    spec = "update.yaml" if option == "--base" else "spec.yaml"
    isolated = () if option == "--config" else ("--isolated",)
    run = nimlint("check", *isolated, option, "lint/house.yaml", spec, cwd=repo)
    assert run.returncode == 2
    assert b"SECRETTAIL" not in run.stderr + run.stdout
    assert max(len(line) for line in run.stderr.splitlines()) < 400


@pytest.mark.parametrize(
    "setting",
    [
        "extra-rules: [../home/id_ed25519]",
        "extra-rules: ../home/id_ed25519",
        "policy: ../home/id_ed25519",
        "openapi: ../home/id_ed25519",
        "bases: {'*.yaml': ../home/id_ed25519}",
        "policy: /etc/passwd",
    ],
)
def test_a_configuration_naming_a_file_outside_its_repository_is_an_error(
    tmp_path: Path, setting: str
) -> None:
    repo = checkout(tmp_path)
    (repo / ".nimlint.yaml").write_text(setting + "\n")
    run = nimlint("check", "spec.yaml", cwd=repo)
    assert run.returncode == 2
    assert b"is outside the repository" in run.stderr
    assert b"PRIVATE KEY" not in run.stderr + run.stdout


def test_a_configured_path_linked_out_of_the_repository_is_an_error(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    (repo / "lint" / "rules.yaml").symlink_to("../../home/id_ed25519")
    (repo / ".nimlint.yaml").write_text("extra-rules: [lint/rules.yaml]\n")
    run = nimlint("check", "spec.yaml", cwd=repo)
    assert run.returncode == 2 and b"outside the repository" in run.stderr
    assert b"PRIVATE KEY" not in run.stderr + run.stdout


def test_a_nested_configuration_names_files_anywhere_in_its_repository(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    (repo / "policies").mkdir()
    (repo / "policies" / "team.yaml").write_text("defaults: {}\n")
    (repo / "team").mkdir()
    (repo / "team" / "spec.yaml").write_text(SPEC)
    (repo / "team" / ".nimlint.yaml").write_text("policy: ../policies/team.yaml\n")
    run = nimlint("check", "--format", "json", "team/spec.yaml", cwd=repo)
    assert run.returncode in (0, 1), run.stderr
    assert json.loads(run.stdout)["findings"] is not None


# item 3: symlinks in and out of the repository

BAD = 'metadata: {name: a, projectId: "1"}\nspec:\n  replicas: -1\n'
LEAKY = 'metadata: {name: a, projectId: "1"}\nspec:\n  password: hunter2-from-outside\n'


def linked_checkout(tmp_path: Path) -> Path:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "db.yaml").write_text(LEAKY)
    repo = checkout(tmp_path)
    for folder in ("deploy", "common", "teams/a"):
        (repo / folder).mkdir(parents=True)
    (repo / "deploy" / "spec.yaml").write_text(SPEC)
    (repo / "common" / "shared.yaml").write_text(BAD)
    (repo / "teams" / "a" / "team.yaml").write_text(BAD)
    (repo / "deploy" / "secrets").symlink_to("../../outside")
    (repo / "deploy" / "db.yaml").symlink_to("../../outside/db.yaml")
    (repo / "deploy" / "shared.yaml").symlink_to("../common/shared.yaml")
    (repo / "deploy" / "team").symlink_to("../teams/a")
    (repo / "deploy" / "loop").symlink_to(".")
    return repo


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_symlinks_inside_the_repository_are_linted_and_those_leaving_it_are_noted(
    tmp_path: Path, jobs: str
) -> None:
    repo = linked_checkout(tmp_path)
    run = nimlint("check", "--jobs", jobs, "--format", "json", "deploy", cwd=repo)
    report = json.loads(run.stdout)
    files = sorted({d["file"] for d in report["documents"]})  # deploy/loop is deploy: once
    assert files == ["deploy/shared.yaml", "deploy/spec.yaml", "deploy/team/team.yaml"]
    assert b"hunter2" not in run.stdout + run.stderr
    notes = run.stderr.decode().splitlines()
    assert any(n.startswith("nimlint: note: deploy/secrets: not linted: a symlink") for n in notes)
    assert any(n.startswith("nimlint: note: deploy/db.yaml: not linted: a symlink") for n in notes)
    assert run.returncode == 1


@pytest.mark.parametrize("named", ["deploy/secrets", "deploy/db.yaml", "deploy/secrets/db.yaml"])
def test_a_named_symlink_leaving_the_repository_is_not_linted(tmp_path: Path, named: str) -> None:
    repo = linked_checkout(tmp_path)
    run = nimlint("check", named, "deploy/spec.yaml", cwd=repo)
    assert b"hunter2" not in run.stdout + run.stderr
    assert f"nimlint: note: {named}: not linted: a symlink takes it to".encode() in run.stderr
    assert run.returncode == 1 and b"in 1 of 1 file" in run.stdout  # deploy/spec.yaml


def test_locate_resolves_as_the_system_does_and_stops_at_links_out(
    tmp_path: Path, monkeypatch
) -> None:
    from nimlint.repository import LinkLeavesTree, locate

    repo = checkout(tmp_path)
    (repo / "lint" / "key").symlink_to("../../home/id_ed25519")
    (repo / "lint" / "up").symlink_to("..")
    (repo / "lint" / "home").symlink_to("../../home")
    monkeypatch.chdir(repo)
    real = str(repo.resolve())
    assert locate("lint/up/spec.yaml") == (f"{real}/spec.yaml", real, True)
    assert locate("../home/id_ed25519").repository == ""  # the user's own words
    for escaping in ("lint/key", "lint/home/id_ed25519", "lint/up/../home/id_ed25519"):
        with pytest.raises(LinkLeavesTree):
            locate(escaping)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_symlink_loop_under_a_walked_folder_is_a_note_and_the_rest_is_linted(
    tmp_path: Path, jobs: str
) -> None:
    """`loop -> loop`, `b -> c -> b` and `self.yaml -> self.yaml` cannot be followed: each is a
    note, and the folder's other files are linted and reported (the run used to end with
    "cannot write the report: Too many levels of symbolic links" and no report)."""
    repo = checkout(tmp_path)
    (repo / "deploy").mkdir()
    (repo / "deploy" / "spec.yaml").write_text(BAD)
    (repo / "deploy" / "loop").symlink_to("loop")
    (repo / "deploy" / "b").symlink_to("c")
    (repo / "deploy" / "c").symlink_to("b")
    (repo / "deploy" / "self.yaml").symlink_to("self.yaml")
    run = nimlint("check", "--jobs", jobs, "--format", "sarif", "deploy", cwd=repo)
    assert run.returncode == 1, run.stderr
    results = json.loads(run.stdout)["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "deploy/spec.yaml"
    }
    notes = run.stderr.decode().splitlines()
    for name in ("loop", "b", "c", "self.yaml"):
        assert (
            f"nimlint: note: deploy/{name}: not linted: Too many levels of symbolic links" in notes
        )


def test_a_named_symlink_loop_says_why_it_cannot_be_read(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    (repo / "self.yaml").symlink_to("self.yaml")
    run = nimlint("check", "self.yaml", cwd=repo)
    assert run.returncode == 2
    assert run.stderr.decode().splitlines()[0] == (
        "nimlint: error: self.yaml: cannot read: Too many levels of symbolic links"
    )
