"""Issue 19 item 12: git's index, read without running git, against real git; a file git
tracks is linted even when a .gitignore lists it (git's own rule)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_cli import nimlint

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BAD = 'metadata: {name: a, projectId: "1"}\nspec:\n  replicas: -1\n'
# Names of every length mod 8 (padding), shared prefixes (version 4), folders, non-ASCII.
NAMES = [
    "a.yaml",
    "ab.yaml",
    "deploy/x.yaml",
    "deploy/xy.yaml",
    "deploy/xyz/long-name-of-a-spec-file.yaml",
    "deploy/xyz/long-name-of-a-spec-file2.yaml",
    "deploy nim/ünïcödé.yml",
    "z/" + "n" * 150 + ".json",
]


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, env=env, check=True, timeout=60
    )
    return done.stdout.decode("utf-8", errors="surrogateescape")


def repository(tmp_path: Path, *init: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", *init)
    for name in NAMES:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("a: 1\n")
    git(repo, "add", ".")
    return repo


def git_ls_files(repo: Path) -> set[str]:
    return set(filter(None, git(repo, "ls-files", "-z").split("\0")))


def read(repo: Path, hash_size: int = 20):
    from nimlint.gitindex import read_tracked

    return read_tracked(str(repo / ".git"), hash_size)


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_the_index_reader_agrees_with_git(tmp_path: Path, version: str) -> None:
    repo = repository(tmp_path)
    if version == "3":  # an extended flag makes git write version 3
        git(repo, "update-index", "--skip-worktree", "a.yaml")
    git(repo, "update-index", "--index-version", version)
    assert (repo / ".git" / "index").read_bytes()[4:8] == int(version).to_bytes(4, "big")
    tracked = read(repo)
    assert tracked is not None and set(tracked.files) == git_ls_files(repo) == set(NAMES)
    assert {"deploy", "deploy/xyz", "deploy nim", "z"} == set(tracked.folders)


def test_sha256_repositories_and_intent_to_add(tmp_path: Path) -> None:
    try:
        repo = repository(tmp_path, "--object-format=sha256")
    except subprocess.CalledProcessError:
        pytest.skip("this git has no SHA-256 repositories")
    (repo / "new.yaml").write_text("a: 1\n")
    git(repo, "add", "-N", "new.yaml")  # intent to add: an extended flag, version 3
    tracked = read(repo, 32)
    assert tracked is not None and set(tracked.files) == git_ls_files(repo)
    assert "new.yaml" in tracked.files


def test_a_split_index_adds_the_shared_one(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    git(repo, "update-index", "--split-index")
    (repo / "later.yaml").write_text("a: 1\n")
    git(repo, "add", "later.yaml")
    assert list((repo / ".git").glob("sharedindex.*"))
    tracked = read(repo)
    assert tracked is not None and set(tracked.files) == git_ls_files(repo)


@pytest.mark.parametrize("garbage", [b"", b"DIRC", b"DIRC\0\0\0\x02\0\0\0\x05" + b"\xff" * 70])
def test_an_unreadable_index_tells_nothing(tmp_path: Path, garbage: bytes) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / ".git" / "index").write_bytes(garbage)
    assert read(tmp_path / "repo") is None


def test_a_tracked_file_is_linted_though_a_gitignore_lists_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "deploy" / "generated").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / ".gitignore").write_text("deploy/forced.yaml\ngenerated/\ndeploy/untracked.yaml\n")
    for name in ("forced.yaml", "untracked.yaml", "generated/inside.yaml", "generated/x.yaml"):
        (repo / "deploy" / name).write_text(BAD)
    git(repo, "add", "-f", "deploy/forced.yaml", "deploy/generated/inside.yaml")
    # nimlint must not run git: a git on PATH that leaves a mark would show it did.
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "git").write_text(f"#!/bin/sh\ntouch {tmp_path}/GIT-RAN\n")
    (tmp_path / "bin" / "git").chmod(0o755)
    path = f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"
    run = nimlint("check", "--format", "json", "deploy", cwd=repo, env={"PATH": path})
    files = sorted({d["file"] for d in json.loads(run.stdout)["documents"]})
    assert files == ["deploy/forced.yaml", "deploy/generated/inside.yaml"]
    assert run.returncode == 1 and not (tmp_path / "GIT-RAN").exists()


def test_a_sparse_index_tracks_everything_below_a_folder_entry(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "t")
    try:
        git(repo, "sparse-checkout", "init", "--cone", "--sparse-index")
        git(repo, "sparse-checkout", "set", "deploy")
    except subprocess.CalledProcessError:
        pytest.skip("this git has no sparse index")
    sparse = set(filter(None, git(repo, "ls-files", "-z", "--sparse").split("\0")))
    assert "z/" in sparse  # a folder entry: the index holds no file below it
    tracked = read(repo)
    assert tracked is not None
    assert tracked.holds("z/" + "n" * 150 + ".json", is_dir=False)
    assert tracked.holds("z", is_dir=True) and tracked.holds("deploy/x.yaml", is_dir=False)
    assert not tracked.holds("deploy/other.yaml", is_dir=False)
