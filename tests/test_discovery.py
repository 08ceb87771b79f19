"""Which files a run lints and which kind each document is, through the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.test_cli import nimlint

GOOD = (Path(__file__).resolve().parent.parent / "examples" / "llama3-8b-instruct.yaml").read_text(
    encoding="utf-8"
)
BAD = "spec:\n  replicas: -1\n"  # an update body with one S004 error
PACKAGE_JSON = '{"name": "left-pad", "version": "1.3.0", "main": "index.js"}\n'


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def run_json(*args: str, cwd: Path) -> tuple[int, dict, str]:
    result = nimlint("check", "--format", "json", *args, cwd=cwd)
    report = json.loads(result.stdout) if result.stdout else {}
    return result.returncode, report, result.stderr.decode()


def linted(report: dict) -> list[str]:
    return sorted({d["file"] for d in report["documents"]})


# --- which files are specs ----------------------------------------------------------------


def test_walking_skips_own_config_and_node_modules(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            ".nimlint.yaml": "fail-on: warning\nignore: [I]\n",
            "node_modules/left-pad/package.json": PACKAGE_JSON,
            "node_modules/@scope/x/deep/package.json": PACKAGE_JSON,
            "deploy/llama.yaml": GOOD,
        },
    )
    code, report, stderr = run_json(".", cwd=tmp_path)
    assert (code, stderr) == (0, "")
    assert linted(report) == ["deploy/llama.yaml"]
    assert report["findings"] == []


def test_exclude_option_is_repeatable_and_adds_to_defaults(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "deploy/llama.yaml": GOOD,
            "deploy/legacy/old.yaml": BAD,
            "charts/x/broken.yml": BAD,
            "node_modules/x/bad.yaml": BAD,
        },
    )
    code, report, _ = run_json(".", cwd=tmp_path)
    assert code == 1
    assert linted(report) == ["charts/x/broken.yml", "deploy/legacy/old.yaml", "deploy/llama.yaml"]
    code, report, _ = run_json(
        "--exclude", "deploy/legacy/", "--exclude", "charts", ".", cwd=tmp_path
    )
    assert code == 0 and linted(report) == ["deploy/llama.yaml"]


def test_config_exclude_replaces_and_extend_exclude_adds(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "deploy/llama.yaml": GOOD,
            "deploy/generated/out.yaml": BAD,
            "build/spec.yaml": BAD,
        },
    )
    (tmp_path / ".nimlint.yaml").write_text("extend-exclude: [generated/]\n")
    code, report, _ = run_json(".", cwd=tmp_path)
    assert code == 0 and linted(report) == ["deploy/llama.yaml"]  # build/ is a default
    (tmp_path / ".nimlint.yaml").write_text("exclude: [generated/]\n")
    code, report, _ = run_json(".", cwd=tmp_path)
    assert code == 1 and linted(report) == ["build/spec.yaml", "deploy/llama.yaml"]


def test_config_exclude_is_relative_to_the_config_file(tmp_path: Path) -> None:
    tree(tmp_path, {"repo/deploy/legacy/old.yaml": BAD, "repo/deploy/llama.yaml": GOOD})
    (tmp_path / "repo" / ".nimlint.yaml").write_text("extend-exclude: [/deploy/legacy]\n")
    code, report, _ = run_json("repo/deploy", cwd=tmp_path)
    assert code == 0 and linted(report) == ["repo/deploy/llama.yaml"]


def test_bad_exclude_config_is_a_usage_error(tmp_path: Path) -> None:
    tree(tmp_path, {"deploy/llama.yaml": GOOD, ".nimlint.yaml": "exclude: build\n"})
    result = nimlint("check", ".", cwd=tmp_path)
    assert result.returncode == 2 and b"'exclude' must be a list" in result.stderr


def git_tree(root: Path) -> Path:
    """A folder that looks like a git work tree (no git binary needed)."""
    (root / ".git" / "info").mkdir(parents=True)
    return root


def test_gitignore_nested_and_info_exclude_are_respected(tmp_path: Path) -> None:
    git_tree(tmp_path)
    tree(
        tmp_path,
        {
            ".gitignore": "rendered/\n*.local.yaml\n",
            ".git/info/exclude": "scratch.yaml\n",
            "deploy/.gitignore": "tmp-*.yaml\n!tmp-keep.yaml\n",
            "deploy/llama.yaml": GOOD,
            "deploy/tmp-1.yaml": BAD,
            "deploy/tmp-keep.yaml": GOOD,
            "deploy/dev.local.yaml": BAD,
            "rendered/out.yaml": BAD,
            "scratch.yaml": BAD,
        },
    )
    code, report, _ = run_json(".", cwd=tmp_path)
    assert code == 0 and linted(report) == ["deploy/llama.yaml", "deploy/tmp-keep.yaml"]
    code, report, _ = run_json("--no-respect-gitignore", ".", cwd=tmp_path)
    assert code == 1 and len(linted(report)) == 6


@pytest.mark.parametrize(
    ("files", "env"),
    [
        # the default place, $XDG_CONFIG_HOME/git/ignore
        ({"xdg/git/ignore": "*.local.yaml\n"}, {}),
        # core.excludesFile in ~/.gitconfig, with ~ expanded and a comment after it
        (
            {
                "home/.gitconfig": "[Core]\n\texcludesFile = ~/ignored  # mine\n",
                "home/ignored": "*.local.yaml\n",
            },
            {},
        ),
        # the repository's own config wins over the user's
        (
            {
                "home/.gitconfig": "[core]\n  excludesfile = /nonexistent\n",
                "repo/.git/config": '[core]\n  excludesFile = "../repo-ignore"\n',
                "repo-ignore": "*.local.yaml\n",
            },
            {},
        ),
        # GIT_CONFIG_GLOBAL replaces the user's files
        (
            {
                "elsewhere.cfg": "[core]\nexcludesFile = ELSEWHERE/ignore\n",
                "home/.gitconfig": "[core]\nexcludesFile = /nonexistent\n",
                "ignore": "*.local.yaml\n",
            },
            {"GIT_CONFIG_GLOBAL": "elsewhere.cfg"},
        ),
    ],
)
def test_gits_global_excludes_file_is_respected(tmp_path: Path, files, env) -> None:
    repo = git_tree(tmp_path / "repo")
    tree(repo, {"deploy/llama.yaml": GOOD, "deploy/dev.local.yaml": BAD})
    for name, content in files.items():
        tree(tmp_path, {name: content.replace("ELSEWHERE", str(tmp_path))})
    environment = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "GIT_CONFIG_NOSYSTEM": "1",
        **{k: str(tmp_path / v) for k, v in env.items()},
    }
    result = nimlint("check", "--format", "json", ".", cwd=repo, env=environment)
    assert linted(json.loads(result.stdout)) == ["deploy/llama.yaml"], result.stderr
    again = nimlint(
        "check", "--format", "json", "--no-respect-gitignore", ".", cwd=repo, env=environment
    )
    assert len(linted(json.loads(again.stdout))) == 2


@pytest.mark.parametrize("layout", ["worktree", "submodule"])
def test_info_exclude_and_config_of_a_linked_worktree_or_submodule(tmp_path: Path, layout) -> None:
    """There ``.git`` is a file naming the git dir; a worktree's git dir names the common dir
    (the main repository's .git), which holds info/exclude and config."""
    git_tree(tmp_path / "main")
    if layout == "worktree":
        git_dir = tmp_path / "main" / ".git" / "worktrees" / "wt"
        tree(git_dir, {"commondir": "../..\n"})
        info = tmp_path / "main" / ".git"
        work = tmp_path / "wt"
        pointer = f"gitdir: {git_dir}\n"  # git writes an absolute path here
    else:
        info = git_dir = tmp_path / "main" / ".git" / "modules" / "sub"
        work = tmp_path / "main" / "sub"
        pointer = "gitdir: ../.git/modules/sub\n"  # and a relative one here
    tree(info, {"info/exclude": "scratch.yaml\n", "config": "[core]\nexcludesFile = x\n"})
    tree(work, {"x": "*.local.yaml\n", ".git": pointer})
    tree(work, {"deploy/llama.yaml": GOOD, "deploy/dev.local.yaml": BAD, "scratch.yaml": BAD})
    environment = {"HOME": str(tmp_path / "home"), "GIT_CONFIG_NOSYSTEM": "1"}
    result = nimlint("check", "--format", "json", ".", cwd=work, env=environment)
    assert linted(json.loads(result.stdout)) == ["deploy/llama.yaml"], result.stderr


def test_gitignore_outside_a_work_tree_is_not_read(tmp_path: Path) -> None:
    tree(tmp_path, {".gitignore": "*.yaml\n", "deploy/llama.yaml": GOOD})
    code, report, _ = run_json(".", cwd=tmp_path)
    assert code == 0 and linted(report) == ["deploy/llama.yaml"]


def test_config_can_turn_gitignore_off(tmp_path: Path) -> None:
    git_tree(tmp_path)
    tree(tmp_path, {".gitignore": "out/\n", "out/x.yaml": BAD})
    (tmp_path / ".nimlint.yaml").write_text("respect-gitignore: false\n")
    code, report, _ = run_json(".", cwd=tmp_path)
    assert code == 1 and linted(report) == ["out/x.yaml"]


def test_named_folder_is_walked_even_if_ignored(tmp_path: Path) -> None:
    git_tree(tmp_path)
    tree(tmp_path, {".gitignore": "rendered/\n", "rendered/out.yaml": BAD})
    code, report, _ = run_json("rendered", cwd=tmp_path)
    assert code == 1 and linted(report) == ["rendered/out.yaml"]


def test_a_named_file_is_always_linted(tmp_path: Path) -> None:
    git_tree(tmp_path)
    tree(
        tmp_path,
        {
            ".gitignore": "ignored.yaml\n",
            "ignored.yaml": BAD,
            "node_modules/x/spec.yaml": BAD,
            ".hidden.yaml": BAD,
            "package.json": PACKAGE_JSON,
        },
    )
    named = ["ignored.yaml", "node_modules/x/spec.yaml", ".hidden.yaml", "package.json"]
    code, report, _ = run_json("--exclude", "ignored.yaml", *named, cwd=tmp_path)
    assert code == 1 and linted(report) == sorted(named)
    assert report["summary"] == {**report["summary"], "files": 4, "skipped": 0}
    # package.json, named, is linted as a body: its unknown keys are reported
    assert {f["rule"] for f in report["findings"] if f["file"] == "package.json"} >= {"S008"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_documents_without_nim_keys_are_skipped_and_counted(tmp_path: Path, jobs: str) -> None:
    tree(
        tmp_path,
        {
            "deploy/llama.yaml": GOOD,
            "deploy/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n",
            "deploy/values.yml": "image:\n  repository: nvcr.io/nim/meta/llama3\n",
            "deploy/list.json": "[1, 2]\n",
            "deploy/mixed.yaml": "kind: ConfigMap\n---\n" + BAD,
        },
    )
    result = nimlint("check", "--jobs", jobs, "deploy", cwd=tmp_path)
    text = result.stdout.decode()
    assert result.returncode == 1
    assert "in 1 of 2 files. 3 files skipped: not NIM service bodies.\n" in text, text
    assert "deploy/mixed.yaml" in text  # one NIM body: the whole file is linted
    _, report, _ = run_json("--jobs", jobs, "deploy", cwd=tmp_path)
    assert report["summary"]["skipped"] == 3 and report["summary"]["files"] == 2


def test_a_file_that_does_not_parse_is_reported_when_walking(tmp_path: Path) -> None:
    tree(tmp_path, {"deploy/broken.yaml": "kind: [unclosed\n", "deploy/llama.yaml": GOOD})
    code, report, _ = run_json("deploy", cwd=tmp_path)
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["P001"]


def test_upper_case_suffixes_are_specs(tmp_path: Path) -> None:
    tree(tmp_path, {"a.YAML": BAD, "b.YML": BAD, "c.JSON": '{"spec": {"replicas": -1}}'})
    code, report, _ = run_json(".", cwd=tmp_path)
    assert code == 1 and linted(report) == ["a.YAML", "b.YML", "c.JSON"]
    assert [f["rule"] for f in report["findings"]] == ["S004"] * 3


def test_hidden_files_and_folders_are_treated_alike(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            ".github/workflows/ci.yml": "on: push\njobs: {}\nspec: 1\n",
            ".pre-commit-config.yaml": "repos: []\nspec: 1\n",
            ".runai/nim.yaml": BAD,
            "deploy/llama.yaml": GOOD,
        },
    )
    code, report, _ = run_json(".", cwd=tmp_path)
    assert code == 0 and linted(report) == ["deploy/llama.yaml"]
    code, report, _ = run_json(".runai", cwd=tmp_path)  # a hidden folder you name is walked
    assert code == 1 and linted(report) == [".runai/nim.yaml"]


@pytest.mark.parametrize(
    "content",
    [GOOD + "---\n", "---\n" + GOOD + "---\n---\n", GOOD + "---\n# the end\n...\n"],
    ids=["trailing", "around", "comment-and-end-marker"],
)
def test_empty_documents_are_not_errors(tmp_path: Path, content: str) -> None:
    tree(tmp_path, {"spec.yaml": content})
    code, report, _ = run_json("spec.yaml", cwd=tmp_path)
    assert (code, report["findings"]) == (0, [])


def test_file_without_document_named_or_walked(tmp_path: Path) -> None:
    tree(tmp_path, {"deploy/empty.yaml": "---\n# nothing yet\n", "deploy/llama.yaml": GOOD})
    code, report, _ = run_json("deploy/empty.yaml", cwd=tmp_path)
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["P004"]
    code, report, _ = run_json("deploy", cwd=tmp_path)
    assert code == 0 and report["summary"]["skipped"] == 1


# --- folders ------------------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_subfolder_is_an_error(tmp_path: Path) -> None:
    tree(tmp_path, {"deploy/llama.yaml": GOOD, "deploy/locked/x.yaml": BAD})
    locked = tmp_path / "deploy" / "locked"
    locked.chmod(0)
    try:
        result = nimlint("check", "deploy", cwd=tmp_path)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2
    assert result.stderr.decode().startswith("nimlint: error: deploy/locked: cannot read folder")
    assert b"1 file" in result.stdout  # the readable files are still linted


def test_symlinks_out_of_the_tree_are_skipped_even_when_named(tmp_path: Path) -> None:
    """Issue 19 item 3 (this test said "only when named" before): the checkout chose where
    its links lead, and a CI job names ``deploy/*`` as readily as ``deploy``."""
    tree(tmp_path, {"outside/bad.yaml": BAD, "repo/deploy/llama.yaml": GOOD})
    (tmp_path / "repo" / "deploy" / "link.yaml").symlink_to(tmp_path / "outside" / "bad.yaml")
    (tmp_path / "repo" / "deploy" / "same.yaml").symlink_to("llama.yaml")
    (tmp_path / "repo" / "deploy" / "dir").symlink_to(tmp_path / "outside")
    code, report, err = run_json("deploy", cwd=tmp_path / "repo")
    assert code == 0 and linted(report) == ["deploy/llama.yaml"]  # same.yaml is llama.yaml
    assert "nimlint: note: deploy/link.yaml: not linted: a symlink takes it to" in err
    assert "nimlint: note: deploy/dir: not linted" in err
    code, report, err = run_json("deploy", "deploy/link.yaml", cwd=tmp_path / "repo")
    assert code == 0 and linted(report) == ["deploy/llama.yaml"]
    assert err.count("deploy/link.yaml: not linted") == 2


@pytest.mark.parametrize("spelling", ["deploy", "deploy/", "./deploy", "deploy//", "link", "ABS"])
def test_a_walked_file_is_known_by_its_real_path(tmp_path: Path, monkeypatch, spelling) -> None:
    from nimlint.discovery import discover

    tree(tmp_path, {"deploy/a.yaml": BAD, "deploy/sub/deeper/b.yml": BAD, "deploy/c.json": "{}"})
    (tmp_path / "deploy" / "sub" / "same.yaml").symlink_to("../a.yaml")
    (tmp_path / "link").symlink_to(tmp_path / "deploy")
    monkeypatch.chdir(tmp_path)
    root = str(tmp_path / "deploy") if spelling == "ABS" else spelling
    found = discover([root, "deploy/a.yaml", "deploy/sub/deeper/b.yml", "link/c.json"])
    assert sorted(os.path.realpath(f) for f in found.files) == [
        str((tmp_path / "deploy" / name).resolve())
        for name in ("a.yaml", "c.json", "sub/deeper/b.yml")
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_same_file_named_twice_is_linted_once(tmp_path: Path, jobs: str) -> None:
    tree(tmp_path, {"deploy/x.yaml": BAD, "deploy/llama.yaml": GOOD})
    args = ["--jobs", jobs, "deploy/x.yaml", "./deploy/x.yaml", "deploy/", "deploy"]
    code, report, _ = run_json(*args, cwd=tmp_path)
    assert code == 1 and report["summary"]["files"] == 2
    assert [f["file"] for f in report["findings"]] == ["deploy/x.yaml"]


def test_a_folder_named_with_doubled_slashes_stays_relative(tmp_path: Path) -> None:
    # ".//deploy" is "./deploy": its files are "deploy/...", never "/deploy/..." (an absolute
    # path outside the folder, which --fix would have rewritten).
    tree(tmp_path, {"work/deploy/x.yaml": BAD, "deploy/x.yaml": GOOD})
    code, report, err = run_json(".//deploy", ".///deploy", cwd=tmp_path / "work")
    assert (code, err) == (1, "")
    assert [f["file"] for f in report["findings"]] == ["deploy/x.yaml"]


def test_a_folder_and_a_symlink_to_it_lint_its_files_once(tmp_path: Path) -> None:
    # Its files, found twice, are linted under the first name: not "skipped" under the other.
    tree(tmp_path, {"deploy/x.yaml": BAD})
    (tmp_path / "linked").symlink_to("deploy")
    for args in (["linked", "deploy"], ["deploy/", "linked"]):
        code, report, err = run_json(*args, cwd=tmp_path)
        assert (code, err) == (1, ""), args
        assert report["summary"]["files"] == 1


def test_unreadable_subfolder_is_reported_even_as_root(tmp_path: Path, monkeypatch) -> None:
    from nimlint import discovery

    tree(tmp_path, {"deploy/llama.yaml": GOOD, "deploy/locked/x.yaml": BAD})
    locked = str(tmp_path / "deploy" / "locked")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    found = discovery.discover([str(tmp_path / "deploy")])
    assert found.files == [str(tmp_path / "deploy" / "llama.yaml")]
    assert found.errors == [f"{locked}: cannot read folder: Permission denied"]


# --- which kind a document is -------------------------------------------------------------


def findings_of(tmp_path: Path, content: str, *args: str) -> tuple[int, dict]:
    (tmp_path / "spec.yaml").write_text(content, encoding="utf-8")
    code, report, _ = run_json(*args, "spec.yaml", cwd=tmp_path)
    return code, report


def test_create_with_cluster_id_in_metadata_stays_a_create(tmp_path: Path) -> None:
    content = GOOD.replace(
        '  projectId: "4501"\n',
        '  projectId: "4501"\n  clusterId: 71f69d83-ba66-4822-adf5-55ce55efd210\n',
    )
    code, report = findings_of(tmp_path, content)
    assert code == 0 and report["documents"][0]["kind"] == "create"
    assert [(f["rule"], f["pointer"]) for f in report["findings"]] == [
        ("S008", "/metadata/clusterId")
    ]
    # create rules still run: a create without an image is still reported
    _, report = findings_of(tmp_path, content.replace("  image: ", "  imageX: "))
    assert "I001" in {f["rule"] for f in report["findings"]}


def test_a_full_get_response_is_still_a_response(tmp_path: Path) -> None:
    metadata = (
        "metadata:\n  name: x\n  projectId: '1'\n  id: a\n  gvk: {}\n  projectName: p\n"
        "  clusterId: c\n  tenantId: 1\n  departmentId: d\n  departmentName: n\n"
        "  createdAt: t\n  createdBy: u\n  updatedAt: t\n  updatedBy: u\n"
    )
    content = metadata + "desiredPhase: Running\nspec:\n  image: nvcr.io/nim/x/y:1\n"
    _, report = findings_of(tmp_path, content)
    assert report["documents"][0]["kind"] == "response"


def test_v1_envelope_is_an_error_naming_metadata(tmp_path: Path) -> None:
    content = (
        "name: llama3-8b-instruct\nprojectId: '4501'\nclusterId: c-1\n"
        "spec:\n  image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3\n"
    )
    code, report = findings_of(tmp_path, content, "--select", "K015,S")
    assert code == 1
    assert [(f["rule"], f["pointer"], f["severity"]) for f in report["findings"]] == [
        ("K015", "/name", "error"),
        ("K015", "/projectId", "error"),
        ("K015", "/clusterId", "error"),
    ]
    assert "belongs under metadata (metadata.name)" in report["findings"][0]["message"]
    code, report = findings_of(tmp_path, content, "--kind", "create", "--select", "K015,S")
    assert {f["rule"] for f in report["findings"]} == {"K015"}


def test_spec_null_in_a_create_is_like_an_empty_spec(tmp_path: Path) -> None:
    head = "metadata:\n  name: llama\n  projectId: '4501'\n"
    _, empty = findings_of(tmp_path, head + "spec: {}\n")
    code, null = findings_of(tmp_path, head + "spec: null\n")
    assert code == 1
    rules = {f["rule"] for f in null["findings"]}
    assert "I001" in rules and rules == {f["rule"] for f in empty["findings"]}


def test_config_kinds_fix_the_kind_per_path(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "repo/.nimlint.yaml": "kinds:\n  'deploy/updates/*': update\n",
            "repo/deploy/updates/scale.yaml": "metadata:\n  name: x\nspec:\n  replicas: 2\n",
            "repo/deploy/llama.yaml": GOOD,
        },
    )
    _, report, _ = run_json("repo", cwd=tmp_path)
    assert {(d["file"], d["kind"], d["kindFrom"]) for d in report["documents"]} == {
        ("repo/deploy/updates/scale.yaml", "update", "config"),
        ("repo/deploy/llama.yaml", "create", "detected"),
    }
    # as an update, metadata is an unknown key (a create would need projectId instead)
    assert [(f["rule"], f["pointer"]) for f in report["findings"]] == [("S008", "/metadata")]
    text = nimlint("check", "--select", "S", "repo", cwd=tmp_path).stdout.decode()
    assert "scale.yaml:" in text and "read as" not in text  # configured: no note
    (tmp_path / "repo" / "deploy" / "updates" / "scale.yaml").write_text("spec:\n  replicas: -1\n")
    (tmp_path / "repo" / ".nimlint.yaml").write_text("kinds: {}\n")
    text = nimlint("check", "repo/deploy/updates", cwd=tmp_path).stdout.decode()
    assert "= note: repo/deploy/updates/scale.yaml read as update (detected" in text


def test_config_kinds_rejects_an_unknown_kind(tmp_path: Path) -> None:
    tree(tmp_path, {".nimlint.yaml": "kinds: {'*': patch}\n", "x.yaml": GOOD})
    result = nimlint("check", "x.yaml", cwd=tmp_path)
    assert result.returncode == 2 and b"'patch' is not create, update or response" in result.stderr


# --- real-world specs ---------------------------------------------------------------------

REAL_WORLD = Path(__file__).parent / "fixtures" / "real-world"


def test_real_world_specs_lint_without_error() -> None:
    code, report, stderr = run_json("--fail-on", "error", str(REAL_WORLD), cwd=REAL_WORLD.parent)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert (code, errors, stderr) == (0, [], "")
    assert report["summary"]["files"] == len(list(REAL_WORLD.iterdir()))


def test_pre_commit_hook_never_passes_the_config_file() -> None:
    import re

    import yaml

    manifest = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"
    exclude = re.compile(yaml.safe_load(manifest.read_text("utf-8"))[0]["exclude"])
    assert exclude.search(".nimlint.yaml") and exclude.search("deploy/nim/.nimlint.yaml")
    assert not exclude.search("deploy/nim/llama.yaml")
    assert not exclude.search("deploy/nim/x.nimlint.yaml.bak.yaml")


# --- Kubernetes objects beside the specs ----------------------------------------------------

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nim-env\ndata:\n  A: b\n"
DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
    "spec:\n  replicas: 2\n  template:\n    spec:\n      containers: []\n"
)
NIMSERVICE = (
    "apiVersion: apps.nvidia.com/v1alpha1\nkind: NIMService\nmetadata:\n  name: llama\n"
    "spec:\n  image:\n    repository: nvcr.io/nim/meta/llama3-8b-instruct\n    tag: 1.0.0\n"
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_kubernetes_objects_are_skipped_when_walked(tmp_path: Path, jobs: str) -> None:
    tree(
        tmp_path,
        {
            "deploy/llama.yaml": GOOD,
            "deploy/configmap.yaml": CONFIGMAP,
            "deploy/web.yaml": DEPLOYMENT,
            "deploy/operator.yaml": NIMSERVICE,
            "deploy/both.yaml": CONFIGMAP + "---\n" + DEPLOYMENT,
        },
    )
    code, report, err = run_json("--jobs", jobs, "deploy", cwd=tmp_path)
    assert code == 0, (report, err)
    assert linted(report) == ["deploy/llama.yaml"] and report["findings"] == []
    assert report["summary"]["skipped"] == 4


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (CONFIGMAP, "a Kubernetes ConfigMap (apiVersion v1)"),
        (DEPLOYMENT, "a Kubernetes Deployment (apiVersion apps/v1)"),
        (NIMSERVICE, "the NIM Operator's NIMService resource"),
    ],
)
def test_a_named_kubernetes_object_is_reported_once(
    tmp_path: Path, content: str, words: str
) -> None:
    tree(tmp_path, {"object.yaml": content})
    code, report, _ = run_json("object.yaml", cwd=tmp_path)
    assert code == 1
    [finding] = report["findings"]
    assert finding["rule"] == "P012" and finding["line"] == 2, finding
    assert words in finding["message"] and "not a Run:ai NIM service" in finding["message"]


def test_a_kubernetes_object_in_a_stream_with_a_body_is_one_finding(tmp_path: Path) -> None:
    tree(tmp_path, {"deploy/mixed.yaml": CONFIGMAP + "---\n" + BAD})
    code, report, _ = run_json("deploy", cwd=tmp_path)
    assert code == 1
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("P012", 2), ("S004", 9)]


# --- a folder with nothing to lint ----------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_named_folder_without_a_nim_body_is_exit_2(tmp_path: Path, jobs: str) -> None:
    tree(
        tmp_path,
        {
            "chart/values.yaml": "image:\n  repository: nvcr.io/nim/meta/llama3\n",
            "chart/templates/cm.yaml": CONFIGMAP,
            "deploy/llama.yaml": GOOD,
        },
    )
    result = nimlint("check", "--jobs", jobs, "chart", cwd=tmp_path)
    err = result.stderr.decode()
    assert result.returncode == 2, (result.stdout, err)
    assert (
        "nimlint: error: no NIM service body to lint under chart: its 2 YAML or JSON files "
        "were skipped (not NIM service bodies)\n" in err
    ), err
    # beside a folder that has one, it is still an error: the CI job named the wrong folder
    result = nimlint("check", "--jobs", jobs, "deploy", "chart", cwd=tmp_path)
    assert result.returncode == 2 and "under chart:" in result.stderr.decode()
    assert nimlint("check", "--jobs", jobs, "deploy", cwd=tmp_path).returncode == 0


# --- --force-exclude: named files filtered as walked ones are (pre-commit) ------------------

WORKFLOW = "name: ci\non: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps: []\n"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_force_exclude_filters_named_files_as_walking_does(tmp_path: Path, jobs: str) -> None:
    tree(
        tmp_path,
        {
            ".nimlint.yaml": "extend-exclude: [rendered/]\n",
            ".github/workflows/ci.yaml": WORKFLOW,
            ".pre-commit-config.yaml": "repos: []\n",
            "chart/values.yaml": "image:\n  repository: nvcr.io/nim/meta/llama3\n",
            "deploy/cm.yaml": CONFIGMAP,
            "deploy/bad.yaml": BAD,
            "deploy/good.yaml": GOOD,
            "node_modules/x/spec.yaml": BAD,
            "rendered/spec.yaml": BAD,
            "hidden/.spec.yaml": BAD,
        },
    )
    named = [
        ".github/workflows/ci.yaml",
        ".pre-commit-config.yaml",
        "chart/values.yaml",
        "deploy/cm.yaml",
        "deploy/bad.yaml",
        "deploy/good.yaml",
        "node_modules/x/spec.yaml",
        "rendered/spec.yaml",
        "hidden/.spec.yaml",
    ]
    code, report, err = run_json("--force-exclude", "--jobs", jobs, *named, cwd=tmp_path)
    assert code == 1, err
    assert linted(report) == ["deploy/bad.yaml", "deploy/good.yaml"]
    assert {f["file"] for f in report["findings"]} == {"deploy/bad.yaml"}
    assert report["summary"]["skipped"] == 2  # values, cm (the hidden ones are excluded)
    # without it, every named file is linted
    code, report, _ = run_json("--jobs", jobs, *named, cwd=tmp_path)
    assert code == 1 and report["summary"]["files"] == len(named)
    # only specs without problems and files that are not specs: the hook passes
    code, report, err = run_json("--force-exclude", *named[:4], "deploy/good.yaml", cwd=tmp_path)
    assert code == 0 and linted(report) == ["deploy/good.yaml"], err


def test_force_exclude_from_a_subfolder_and_by_absolute_path(tmp_path: Path) -> None:
    tree(tmp_path, {".nimlint.yaml": "", "node_modules/x/spec.yaml": BAD, "deploy/bad.yaml": BAD})
    absolute = [str(tmp_path / "node_modules/x/spec.yaml"), str(tmp_path / "deploy/bad.yaml")]
    code, report, _ = run_json("--force-exclude", *absolute, cwd=tmp_path)
    assert code == 1 and [Path(f).name for f in linted(report)] == ["bad.yaml"]
    code, report, _ = run_json("--force-exclude", "x/spec.yaml", cwd=tmp_path / "node_modules")
    # the folders below the configuration's are checked, even above the working folder
    assert code == 0 and linted(report) == []
