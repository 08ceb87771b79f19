"""Issue 19 items 1 and 2: the files nimlint writes (reports, fixes) are written all at once,
never through a symlink a checkout planted, and never over an edit saved meanwhile."""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
from pathlib import Path

import pytest
from test_cli import nimlint

FIXABLE = (
    "metadata: {name: llama, projectId: 4501}\n"
    "spec: {image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3, servingPort: {port: 8000}}\n"
)
FIXED = FIXABLE.replace("4501", '"4501"')
PROFILE = "export PATH=$HOME/bin:$PATH\n"


def planted(tmp_path: Path) -> Path:
    """A checkout whose nimlint.sarif links to the user's profile, one spec with a hostile name."""
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".profile").write_text(PROFILE)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "$(touch ..PWNED).yaml").write_text(FIXABLE)
    (repo / "nimlint.sarif").symlink_to("../home/.profile")
    return repo


def test_a_report_replaces_a_planted_symlink_never_writes_through_it(tmp_path: Path) -> None:
    repo = planted(tmp_path)
    run = nimlint("check", "--format", "sarif", "--output-file", "nimlint.sarif", ".", cwd=repo)
    assert run.returncode == 1, run.stderr
    assert (tmp_path / "home" / ".profile").read_text() == PROFILE
    report = repo / "nimlint.sarif"
    assert not report.is_symlink()
    assert json.loads(report.read_text())["runs"][0]["results"]
    assert not list(repo.glob(".*nimlint-tmp")) and not (tmp_path / "PWNED").exists()


def test_a_report_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(FIXABLE)
    (tmp_path / "out.json").write_text("old")
    os.chmod(tmp_path / "out.json", 0o640)
    nimlint("check", "--format", "json", "--output-file", "out.json", "spec.yaml", cwd=tmp_path)
    assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == 0o640
    assert json.loads((tmp_path / "out.json").read_text())["findings"]


def test_reports_still_go_to_dev_null_and_to_pipes(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(FIXABLE)
    run = nimlint("check", "--output-file", "/dev/null", "spec.yaml", cwd=tmp_path)
    assert run.returncode == 1 and Path("/dev/null").is_char_device()
    from nimlint.files import write_report

    read, write = os.pipe()
    write_report(f"/dev/fd/{write}", b"report\n")
    os.close(write)
    assert os.read(read, 100) == b"report\n"
    os.close(read)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_planted_fifo_as_report_target_is_an_error_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(FIXABLE)
    os.mkfifo(tmp_path / "nimlint.sarif")
    run = nimlint(
        "check", "--format", "sarif", "--output-file", "nimlint.sarif", "spec.yaml", cwd=tmp_path
    )
    assert run.returncode == 2 and b"cannot write nimlint.sarif" in run.stderr


# --fix


def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "deploy").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "victim.yaml").write_text(FIXABLE)
    return repo


def test_fix_never_writes_through_a_symlink_that_leaves_the_repository(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    (repo / "deploy" / "link.yaml").symlink_to("../../outside/victim.yaml")
    run = nimlint("check", "--fix", "deploy/link.yaml", cwd=repo)
    assert (tmp_path / "outside" / "victim.yaml").read_text() == FIXABLE
    # Not even linted (item 3); write_atomic(follow=True) refuses it too (test below).
    assert b"deploy/link.yaml: not linted: a symlink takes it to " in run.stderr
    assert b"fixed" not in run.stderr


def test_fix_writes_the_target_of_a_symlink_inside_the_repository(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    (repo / "common").mkdir()
    (repo / "common" / "spec.yaml").write_text(FIXABLE)
    os.chmod(repo / "common" / "spec.yaml", 0o640)
    (repo / "deploy" / "link.yaml").symlink_to("../common/spec.yaml")
    run = nimlint("check", "--fix", "deploy/link.yaml", cwd=repo)
    assert run.returncode == 0, run.stderr
    assert (repo / "deploy" / "link.yaml").is_symlink()
    assert (repo / "common" / "spec.yaml").read_text() == FIXED
    assert stat.S_IMODE((repo / "common" / "spec.yaml").stat().st_mode) == 0o640


def _small_file_limit(limit: int):
    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


def test_a_failed_fix_write_leaves_the_file_whole(tmp_path: Path) -> None:
    """A write that fails halfway (here a file-size limit; a full disk alike) must leave the
    old file as it was, and "fixed" must not be printed."""
    import subprocess
    import sys

    spec = tmp_path / "spec.yaml"
    spec.write_text(FIXABLE + "".join(f"# line {i}\n" for i in range(6000)))
    before = spec.read_bytes()
    run = subprocess.run(
        [sys.executable, "-m", "nimlint", "check", "--fix", "spec.yaml"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        preexec_fn=_small_file_limit(len(before) // 2),
    )
    assert spec.read_bytes() == before
    assert run.returncode == 2 and b"cannot write spec.yaml" in run.stderr
    assert b"fixed" not in run.stderr
    assert not list(tmp_path.glob(".*nimlint-tmp"))


EDITING_RULE = """
from pathlib import Path
from nimlint.engine.python_rules import RuleSet
RULES = RuleSet()
@RULES.rule("ZZ001", name="edits", severity="info", summary="s.", bad="a: 1", good="a: 1")
def edits(ctx):
    '''Saves an edit to the spec while nimlint runs, as an editor would.'''
    spec = Path({spec!r})
    if "# saved" not in spec.read_text():
        spec.write_text(spec.read_text() + "# saved meanwhile\\n")
    return ()
"""


def test_fix_does_not_overwrite_an_edit_saved_while_it_ran(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(FIXABLE)
    (tmp_path / "edit.py").write_text(EDITING_RULE.format(spec=str(spec)))
    run = nimlint("check", "--rules", "edit.py", "--fix", "spec.yaml", cwd=tmp_path)
    assert spec.read_text() == FIXABLE + "# saved meanwhile\n"
    assert run.returncode == 2
    assert b"cannot write spec.yaml: it changed since nimlint read it" in run.stderr


def test_write_atomic_refuses_links_out_and_changed_files(tmp_path: Path) -> None:
    from nimlint.files import ChangedOnDisk, write_atomic
    from nimlint.repository import LinkLeavesTree

    (tmp_path / "tree" / ".git").mkdir(parents=True)
    (tmp_path / "out.yaml").write_text("a")
    (tmp_path / "tree" / "in.yaml").write_text("a")
    (tmp_path / "tree" / "out-link.yaml").symlink_to("../out.yaml")
    (tmp_path / "tree" / "in-link.yaml").symlink_to("in.yaml")
    with pytest.raises(LinkLeavesTree):
        write_atomic(tmp_path / "tree" / "out-link.yaml", b"b", follow=True)
    with pytest.raises(ChangedOnDisk):
        write_atomic(tmp_path / "out.yaml", b"b", expected=b"x")
    with pytest.raises(ChangedOnDisk):
        write_atomic(tmp_path / "gone.yaml", b"b", expected=b"x")
    write_atomic(tmp_path / "tree" / "in-link.yaml", b"b", follow=True, expected=b"a")
    assert (tmp_path / "tree" / "in.yaml").read_text() == "b"
    assert (tmp_path / "tree" / "in-link.yaml").is_symlink()
    write_atomic(tmp_path / "tree" / "out-link.yaml", b"c")  # a report: the link is replaced
    assert (tmp_path / "out.yaml").read_text() == "a"
    assert (tmp_path / "tree" / "out-link.yaml").read_text() == "c"


def test_a_report_is_not_written_into_a_folder_linked_out_of_the_repository(
    tmp_path: Path,
) -> None:
    repo = repository(tmp_path)
    (repo / "deploy" / "spec.yaml").write_text(FIXABLE)
    (repo / "reports").symlink_to("../outside")
    run = nimlint(
        "check", "--format", "json", "--output-file", "reports/r.json", "deploy", cwd=repo
    )
    assert run.returncode == 2 and b"outside the repository" in run.stderr
    assert not (tmp_path / "outside" / "r.json").exists()
