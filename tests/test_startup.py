"""What a plain ``nimlint check FILE`` imports: features cost nothing until they are used.

Structural guards for issue 12 (no timing here; benchmarks/startup.py measures): each module
below is imported only by the option or the content that needs it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "embedqa-autoscaling.yaml"

# Run the command in-process (cli.main: the console entry would end the process) and print
# the modules it imported.
SCRIPT = """
import json, sys
from nimlint.cli import main
sys.argv = ["nimlint", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""

# Imported only when their feature is used.
OPTIONAL = (
    "nimlint.policy",  # --policy
    "nimlint.effective",  # --base, --policy
    "nimlint.fixer",  # --fix, --diff
    "nimlint.engine.fix_edits",
    "nimlint.engine.suppressions",  # a "# nimlint:" comment
    "nimlint.report.statistics",  # --statistics
    "nimlint.report.sarif_format",  # --format sarif
    "ruamel",  # rendering a fix
    "pathspec",  # walking a folder with a .gitignore
    "tomllib",  # a pyproject.toml that mentions nimlint
    "multiprocessing",  # never: workers are forked directly (test_workers_need_no_pool)
    "concurrent.futures",  # likewise
    "logging",  # likewise (concurrent.futures imports it)
    "signal",  # --jobs, or 100 files and more
    "dataclasses",  # never: records are NamedTuples or plain classes
    "fractions",  # quantities are compared as whole numbers of nanos
    "secrets",  # never: a temporary file's name takes os.urandom (secrets and hmac cost 6 ms)
    "openapi_spec_validator",  # --openapi
    "nimlint.server",  # nimlint server
    "pygls",  # likewise
    "lsprotocol",  # likewise
)


def imported(tmp_path: Path, *args: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    return set(json.loads(run.stdout.splitlines()[-1]))


def loaded(modules: set[str], prefix: str) -> bool:
    return any(m == prefix or m.startswith(prefix + ".") for m in modules)


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    target = tmp_path / "nim.yaml"
    shutil.copy(EXAMPLE, target)
    return target


def work_tree(folder: Path) -> None:
    (folder / ".git").mkdir()
    (folder / ".gitignore").write_text("*.log\n")


def test_a_plain_check_imports_no_optional_module(tmp_path: Path, spec: Path) -> None:
    work_tree(tmp_path)  # a named file is linted whatever .gitignore says: it is not read
    modules = imported(tmp_path, "check", spec.name)
    assert [name for name in OPTIONAL if loaded(modules, name)] == []


def test_walking_a_folder_with_a_gitignore_imports_pathspec(tmp_path: Path, spec: Path) -> None:
    work_tree(tmp_path)
    assert loaded(imported(tmp_path, "check", "."), "pathspec")


@pytest.mark.parametrize(
    ("content", "args", "module"),
    [
        ("  # nimlint: disable-next-line=S008\n  replica: 1\n", (), "nimlint.engine.suppressions"),
        ("", ("--statistics",), "nimlint.report.statistics"),
        ("", ("--format", "sarif"), "nimlint.report.sarif_format"),
        ("", ("--diff",), "nimlint.fixer"),
    ],
)
def test_the_feature_that_needs_a_module_imports_it(
    tmp_path: Path, spec: Path, content: str, args: tuple[str, ...], module: str
) -> None:
    spec.write_text(spec.read_text() + content)
    assert loaded(imported(tmp_path, "check", *args, spec.name), module)


def test_workers_need_no_pool(tmp_path: Path, spec: Path) -> None:
    """Two workers, forked directly: no multiprocessing, concurrent.futures or logging
    (about 3% of a 2,000-file run with a ProcessPoolExecutor)."""
    shutil.copy(spec, tmp_path / "second.yaml")
    modules = imported(tmp_path, "check", "--jobs", "2", spec.name, "second.yaml")
    assert loaded(modules, "signal")  # the parallel path was taken
    for name in ("multiprocessing", "concurrent.futures", "logging"):
        assert not loaded(modules, name), name


@pytest.mark.parametrize(
    "args",
    [
        ("--policy", str(ROOT / "benchmarks" / "startup-policy.yaml")),
        (
            "--base",
            str(ROOT / "tests" / "fixtures" / "preview" / "running.yaml"),
            "--kind",
            "update",
        ),
        ("--diff",),
    ],
)
def test_no_feature_loads_dataclasses(tmp_path: Path, spec: Path, args: tuple[str, ...]) -> None:
    """Records are NamedTuples or plain classes everywhere: a dataclass decorator costs
    about 0.7 ms of start-up each."""
    modules = imported(tmp_path, "check", *args, spec.name)
    assert not loaded(modules, "dataclasses")
