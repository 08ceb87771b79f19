"""Files a checkout names besides specs (configuration, .gitignore, rule files, OpenAPI
documents, policies) can be symlinks to a FIFO or a device: nimlint must neither wait on
them nor read them without end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nimlint.files import NotRegularFile, read_regular, read_text

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")

SPEC = (Path(__file__).resolve().parent.parent / "examples" / "llama3-8b-instruct.yaml").read_text(
    encoding="utf-8"
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """nimlint in ``cwd``; a hang is a failure after 20 s, not a stuck test run."""
    return subprocess.run(
        [sys.executable, "-m", "nimlint", "check", *args],
        cwd=cwd,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=20,
        text=True,
    )


def checkout(tmp_path: Path) -> Path:
    """A git work tree with one spec and a FIFO outside it, for links to point at."""
    (tmp_path / "repo" / ".git" / "info").mkdir(parents=True)
    (tmp_path / "repo" / "deploy").mkdir()
    (tmp_path / "repo" / "deploy" / "llama.yaml").write_text(SPEC)
    os.mkfifo(tmp_path / "pipe")
    return tmp_path / "repo"


@pytest.mark.parametrize("ignore", [".gitignore", "deploy/.gitignore", ".git/info/exclude"])
def test_an_ignore_file_linked_to_a_fifo_is_skipped(tmp_path: Path, ignore: str) -> None:
    repo = checkout(tmp_path)
    (repo / ignore).symlink_to(tmp_path / "pipe")
    result = run("--isolated", "deploy", cwd=repo)
    assert result.returncode == 0, result.stderr


def test_a_git_config_linked_to_a_fifo_is_skipped(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    (repo / ".git" / "config").symlink_to(tmp_path / "pipe")
    assert run("--isolated", "deploy", cwd=repo).returncode == 0


@pytest.mark.parametrize(
    ("config", "extra"),
    [
        ("openapi: pipe\n", []),
        ("extra-rules: [pipe]\n", ["--no-python-rules"]),
        ("policy: [pipe]\n", []),
    ],
)
def test_a_configured_file_that_is_a_fifo_is_an_error(tmp_path: Path, config, extra) -> None:
    repo = checkout(tmp_path)  # (a path out of the repository is refused before it is read)
    os.mkfifo(repo / "pipe")
    (repo / ".nimlint.yaml").write_text(config)
    result = run(*extra, "deploy", cwd=repo)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("option", ["--config", "--openapi", "--rules", "--policy"])
@pytest.mark.parametrize("target", ["pipe", "/dev/zero"])
def test_an_option_naming_a_fifo_or_a_device_is_an_error(tmp_path: Path, option, target) -> None:
    repo = checkout(tmp_path)
    path = str(tmp_path / target) if target == "pipe" else target
    if not os.path.exists(path):
        pytest.skip(f"no {path} here")
    result = run(option, path, "deploy", cwd=repo)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("size", [0, 1, 9, 10, 11, 100, 70_000, 200_000])
def test_read_regular_reads_at_most_one_byte_past_its_limit(tmp_path: Path, size: int) -> None:
    path = tmp_path / "file"
    content = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    path.write_bytes(content)
    for limit in (0, 10, 100_000, 1 << 20):
        assert read_regular(path, limit) == content[: limit + 1]


def test_read_regular_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile, match="not a regular file"):
        read_regular(tmp_path, 10)


def test_a_configuration_over_its_limit_is_an_error(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    (repo / ".nimlint.yaml").write_text("#" * (1024 * 1024) + "\nselect: [ALL]\n")
    result = run("deploy", cwd=repo)
    assert result.returncode == 2
    assert "over the 1,048,576-byte limit of a configuration" in result.stderr


def test_rule_files_and_openapi_documents_over_their_limits_are_errors(
    tmp_path: Path, monkeypatch
) -> None:
    from nimlint.engine import declarative
    from nimlint.schema import schemaset

    big = tmp_path / "big.yaml"
    big.write_text("# " + "é" * 100 + "\nrules: []\n")  # a cut through é must not matter
    monkeypatch.setattr(declarative, "MAX_RULE_FILE_BYTES", 50)
    with pytest.raises(declarative.RuleFileError, match="over the 50-byte limit of a rule file"):
        declarative.load_rule_file(big)
    monkeypatch.setattr(schemaset, "MAX_OPENAPI_BYTES", 50)
    with pytest.raises(schemaset.OpenAPIError, match="is over the 50-byte limit"):
        schemaset.from_openapi(big)


def test_read_text_says_why_it_cannot_in_an_os_error(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: \xff\n")
    with pytest.raises(OSError, match="can't decode byte 0xff"):
        read_text(path, 100, "a rule file")
    path.write_text("a: b\n")
    assert read_text(path, 5, "a rule file") == "a: b\n"
    with pytest.raises(OSError) as raised:
        read_text(path, 4, "a rule file")
    assert raised.value.strerror == "it is over the 4-byte limit of a rule file"
