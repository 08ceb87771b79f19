"""The rule cache: one set of entries per installation, and an entry nimlint did not write (or
cannot trust) is rebuilt, never a crash, never a module imported, never a word of output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import ROOT, nimlint

from nimlint import checks
from nimlint.engine import rule_cache
from nimlint.engine.declarative import _read, builtin_rule_files
from nimlint.engine.model import Rule

SPEC = str(ROOT / "examples" / "llama3-8b-instruct.yaml")
FILL_CACHE = "from nimlint.engine.registry import build_registry; build_registry(plugins=False)"


def _installation(folder: Path) -> Path:
    """A second copy of nimlint (package and its data), as another checkout would be."""
    for name in ("nimlint", "rules", "schemas"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def _entries(cache: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_ino, p.read_bytes()) for p in sorted(cache.iterdir())}


def test_two_installations_keep_their_own_entries(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "NIMLINT_CACHE_DIR": str(cache)}
    first, second = _installation(tmp_path / "a"), _installation(tmp_path / "b")

    def run(installation: Path) -> None:
        command = [sys.executable, "-c", FILL_CACHE]
        environment = {**env, "PYTHONPATH": str(installation)}
        subprocess.run(command, env=environment, cwd=tmp_path, check=True, timeout=60)

    run(first)
    run(second)
    filled = _entries(cache)
    assert len(filled) == 4  # rules and python-rules, for each installation
    run(first)
    run(second)
    assert _entries(cache) == filled  # each found its own entries: nothing was written again


# what the cache holds, as each loader asks for it: (name, paths, salt)
PYTHON_RULES = (
    "python-rules",
    [Path(checks.__file__).with_name(f"{name}.py") for name in checks.MODULES],
    list(Rule._fields),
)
RULE_FILES = ("rules", builtin_rule_files(), [])


def _good(name: str) -> list:
    if name == "rules":
        return [_read(path) for path in builtin_rule_files()]
    return [checks._entry(rule) for rules in checks.builtin_rule_sets() for rule in rules]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("NIMLINT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def clean_report() -> bytes:
    return nimlint("check", "--format", "json", SPEC).stdout


def _check(cache: Path, cwd: Path = ROOT):
    env = {"NIMLINT_CACHE_DIR": str(cache)}
    return nimlint("check", "--format", "json", SPEC, env=env, cwd=cwd)


def _planted(name: str, paths: list, salt: list, documents: list) -> Path:
    """Write ``documents`` as this user's valid entry for ``paths`` (right key and all)."""
    rule_cache.store(paths, documents, name, salt)
    return rule_cache._file(name)


def _reshaped(**changes) -> list:
    """The shipped Python rules' entries, the first one changed."""
    first, *rest = _good("python-rules")
    return [{**first, **changes}, *rest]


MALFORMED = {
    "rules": lambda: [{"rules": [{"id": 5}]}],
    "rules, a missing file": lambda: _good("rules")[1:],
    "rules, a bad function": lambda: [
        {"rules": [dict(rule, check={"function": "eval"}) for rule in document["rules"]]}
        for document in _good("rules")
    ],
    "python-rules": lambda: [{"id": 5}],
    "python-rules, unhashable origin": lambda: _reshaped(origin=["nimlint.checks.compute"]),
    "python-rules, unknown severity": lambda: _reshaped(severity="FATAL"),
    "python-rules, a summary that is no text": lambda: _reshaped(summary=["a", "b"]),
    "python-rules, a kind that is no kind": lambda: _reshaped(kinds=[["create"]]),
}


CORRUPTIONS = {
    "truncated": lambda text: text[: len(text) // 2],
    "not JSON": lambda text: b"\x00\xff\x1b[31m not json",
    "deeply nested": lambda text: b"[" * 200_000,
    "not an object": lambda text: b"[1, 2, 3]",
    "empty": lambda text: b"",
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
@pytest.mark.parametrize("entry", [RULE_FILES, PYTHON_RULES], ids=["rules", "python-rules"])
def test_a_corrupt_entry_is_rebuilt(cache: Path, clean_report: bytes, entry, corruption) -> None:
    name, paths, salt = entry
    target = _planted(name, paths, salt, _good(name))
    target.write_bytes(CORRUPTIONS[corruption](target.read_bytes()))
    run = _check(cache)
    assert (run.returncode, run.stdout, run.stderr) == (0, clean_report, b"")
    assert rule_cache.load(paths, name, salt) == _good(name)  # rebuilt by that run


@pytest.mark.parametrize("shape", MALFORMED)
def test_a_well_keyed_entry_of_the_wrong_shape_is_rebuilt(
    cache: Path, clean_report: bytes, shape: str
) -> None:
    name, paths, salt = RULE_FILES if shape.startswith("rules") else PYTHON_RULES
    _planted(name, paths, salt, MALFORMED[shape]())
    run = _check(cache)
    assert (run.returncode, run.stdout, run.stderr) == (0, clean_report, b"")
    assert rule_cache.load(paths, name, salt) == _good(name)


def test_a_cached_python_rule_never_names_a_module_outside_nimlint(
    cache: Path, tmp_path: Path, clean_report: bytes
) -> None:
    """``python -m nimlint`` has the working folder on sys.path: an entry naming a module there
    must not make nimlint import it."""
    (tmp_path / "evil_checks.py").write_text(
        f"open({str(tmp_path / 'imported')!r}, 'w').close()\nRULES = []\n"
    )
    entries = [dict(entry, origin="evil_checks") for entry in _good("python-rules")]
    _planted(*PYTHON_RULES, entries)
    run = _check(cache, cwd=tmp_path)
    assert (run.returncode, run.stdout, run.stderr) == (0, clean_report, b"")
    assert not (tmp_path / "imported").exists()


def _hacked(name: str) -> list:
    """A valid entry whose every summary says HACKED and every rule is a mere info."""
    if name == "python-rules":
        return [dict(e, summary="HACKED", severity="INFO") for e in _good(name)]
    documents = _good(name)
    for document in documents:
        for rule in document["rules"]:
            rule.update(summary="HACKED", severity="info")
    return documents


@pytest.mark.parametrize("entry", [RULE_FILES, PYTHON_RULES], ids=["rules", "python-rules"])
def test_an_entry_others_can_write_is_not_read(cache: Path, entry) -> None:
    name, paths, salt = entry
    target = _planted(name, paths, salt, _hacked(name))
    assert b"HACKED" in nimlint("rules", env={"NIMLINT_CACHE_DIR": str(cache)}).stdout
    target.chmod(0o666)  # as a shared cache folder with a loose umask would leave it
    assert b"HACKED" not in nimlint("rules", env={"NIMLINT_CACHE_DIR": str(cache)}).stdout
    assert rule_cache.load(paths, name, salt) == _good(name)  # rebuilt, only ours to write
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
@pytest.mark.parametrize("entry", [RULE_FILES, PYTHON_RULES], ids=["rules", "python-rules"])
def test_an_entry_another_user_wrote_is_not_read(cache: Path, entry) -> None:
    name, paths, salt = entry
    target = _planted(name, paths, salt, _hacked(name))
    os.chown(target, 65534, 65534)
    cache.chmod(0o755)
    run = nimlint("rules", "--format", "json", env={"NIMLINT_CACHE_DIR": str(cache)})
    assert b"HACKED" not in run.stdout
    assert {rule["severity"] for rule in json.loads(run.stdout)} >= {"error", "warning"}


def test_a_file_planted_at_the_temporary_name_is_not_written_through(cache: Path) -> None:
    """On a shared folder, a link at the next temporary file's name cannot make nimlint
    write where it points: the temporary file is created anew."""
    victim = cache.parent / "victim"
    victim.write_text("untouched")
    cache.mkdir()
    target = rule_cache._file("rules")
    target.with_suffix(f".{os.getpid()}.tmp").symlink_to(victim)
    rule_cache.store(builtin_rule_files(), _good("rules"))
    assert victim.read_text() == "untouched"
    assert rule_cache.load(builtin_rule_files()) == _good("rules")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_at_the_entrys_name_does_not_hang_nimlint(cache: Path, clean_report: bytes) -> None:
    cache.mkdir()
    os.mkfifo(rule_cache._file("rules"))
    command = [sys.executable, "-m", "nimlint", "check", "--format", "json", SPEC]
    env = {**os.environ, "NIMLINT_CACHE_DIR": str(cache)}
    run = subprocess.run(command, capture_output=True, env=env, cwd=ROOT, timeout=60)
    assert (run.returncode, run.stdout) == (0, clean_report)
    assert rule_cache._file("rules").is_file()  # replaced by a real entry
