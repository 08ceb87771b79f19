"""The rule engine: shipped rule files, plugins, the function library's equality."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from nimlint.engine.context import Context
from nimlint.engine.declarative import RuleFileError, builtin_rule_files, load_rule_file
from nimlint.engine.functions import condition_holds, unique_by
from nimlint.engine.registry import Registry, build_registry
from nimlint.options import Options, UsageError

ROOT = Path(__file__).resolve().parent.parent
RULE_SCHEMA = json.loads((ROOT / "schemas" / "rule.schema.json").read_text())


@pytest.mark.parametrize("path", builtin_rule_files(), ids=lambda p: p.name)
def test_shipped_rule_files_are_valid(path: Path) -> None:
    """Shipped files are not validated at run time (it costs start-up); this test does it."""
    jsonschema.Draft202012Validator(RULE_SCHEMA).validate(yaml.safe_load(path.read_text()))


def test_invalid_rule_file_names_file_and_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: lower1\n    name: x\n")
    with pytest.raises(RuleFileError, match=r"bad.yaml: invalid rule file at rules/0"):
        load_rule_file(bad)


def test_duplicate_rule_ids_are_an_error() -> None:
    rules = list(build_registry(plugins=False).values())
    with pytest.raises(RuleFileError, match="duplicate rule id S001"):
        Registry([*rules, rules[next(i for i, r in enumerate(rules) if r.id == "S001")]])


def test_entry_point_plugins_are_found(tmp_path: Path) -> None:
    (tmp_path / "acme_rules.py").write_text(
        "from nimlint.engine.python_rules import RuleSet\n"
        "from nimlint.findings import Problem\n"
        "RULES = RuleSet()\n"
        "@RULES.rule('ACME001', name='no-replicas', severity='warning', summary='s.',\n"
        "            bad='spec: {replicas: 1}\\n', good='spec: {}\\n')\n"
        "def no_replicas(ctx):\n"
        "    '''Test plugin.'''\n"
        "    if ctx.get('/spec/replicas'):\n"
        "        yield Problem('/spec/replicas', 'house style: autoscale instead')\n"
    )
    dist = tmp_path / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "entry_points.txt").write_text("[nimlint.rules]\nacme = acme_rules:RULES\n")
    spec = tmp_path / "s.yaml"
    spec.write_text('metadata: {name: a, projectId: "1"}\nspec: {replicas: 2}\n')
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "nimlint",
            "check",
            "--select",
            "ACME",
            "--format",
            "gcc",
            str(spec),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.stdout.endswith(":2:18: warning: house style: autoscale instead [ACME001]\n")
    listing = subprocess.run(
        [sys.executable, "-m", "nimlint", "rules"], capture_output=True, text=True, env=env
    )
    assert "ACME001" in listing.stdout


def test_conditions_and_uniqueness_compare_as_json() -> None:
    context = Context({}, "create")
    assert not condition_holds(
        {"existingPvc": 1}, "", {"field": "existingPvc", "equals": True}, context
    )
    assert condition_holds(
        {"existingPvc": True}, "", {"field": "existingPvc", "equals": True}, context
    )
    assert condition_holds(
        {}, "", {"field": "existingPvc", "equals": False, "default": False}, context
    )
    assert condition_holds({"n": 2.0}, "", {"field": "n", "equals": 2}, context)
    found = list(unique_by([1, True, 1.0, "1"], {}, "/spec/nodePools", context))
    assert [p.pointer for p in found] == ["/spec/nodePools/2"]


def test_suppression_comments_take_ids_then_free_text() -> None:
    from nimlint.engine.suppressions import parse_directives
    from nimlint.loading.layout import Layout
    from nimlint.loading.source import documents

    text = (
        "a: 1  # nimlint: disable=I003,S0 legacy image, see JIRA-12\n"
        "# nimlint: disable-next-line\n"
        "b: '# nimlint: disable=S001'\n"
        "# nimlint: disable-file=K012\n"
    )
    layout = Layout()
    list(documents(text, is_json=False, layout=layout))
    directives, invalid = parse_directives(text, layout, lambda r: r in ("I003", "S0", "K012"))
    assert invalid == []
    found = [(d.span.line, d.scope, d.rules) for d in directives]
    assert found == [
        (1, "line", ("I003", "S0")),
        (2, "next-line", ()),
        (4, "file", ("K012",)),
    ]


def test_rule_cache_is_keyed_by_file_state(tmp_path: Path, monkeypatch) -> None:
    from nimlint.engine import rule_cache

    monkeypatch.setenv("NIMLINT_CACHE_DIR", str(tmp_path / "cache"))
    rule_file = tmp_path / "r.yaml"
    rule_file.write_text("rules: []\n")
    assert rule_cache.load([rule_file]) is None
    rule_cache.store([rule_file], [{"rules": ["cached"]}])
    assert rule_cache.load([rule_file]) == [{"rules": ["cached"]}]
    rule_file.write_text("rules: [changed]\n")
    assert rule_cache.load([rule_file]) is None


def test_cached_python_rules_match_their_modules(tmp_path: Path, monkeypatch) -> None:
    from nimlint.checks import builtin_rule_sets, builtin_rules

    monkeypatch.setenv("NIMLINT_CACHE_DIR", str(tmp_path / "cache"))
    imported = [rule._replace(check=None) for rules in builtin_rule_sets() for rule in rules]
    first, cached = builtin_rules(), builtin_rules()  # the second comes from the cache
    assert (tmp_path / "cache").is_dir()
    for rules in (first, cached):
        assert [rule._replace(check=None) for rule in rules] == imported
        assert all(rule.check is not None for rule in rules)


def test_rule_modules_import_only_for_rules_that_run(tmp_path: Path) -> None:
    """With the rule cache filled, --select S imports no Python rule module; T001 only its own."""
    script = (
        "import sys\n"
        "from nimlint.lint import Options, lint_text\n"
        "text = open(sys.argv[1]).read()\n"
        "for select in ('S', 'T001'):\n"
        "    lint_text(text, 'spec.yaml', Options(overrides={'select': (select,)}))\n"
        "    print(sorted(m for m in sys.modules if m.startswith('nimlint.checks.')))\n"
    )
    spec = ROOT / "examples" / "llama3-8b-instruct.yaml"
    env = {"NIMLINT_CACHE_DIR": str(tmp_path), "PATH": ""}
    command = [sys.executable, "-c", script, str(spec)]
    subprocess.run(command, capture_output=True, env=env, check=True)  # fills the cache
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    assert out.stdout.splitlines() == ["[]", "['nimlint.checks.tolerations']"], out.stderr


def test_a_rule_sets_documentation_is_built_only_when_listed(monkeypatch) -> None:
    """Calling checks (what a lint run does) never dedents docstrings; listing rules does."""
    from nimlint.engine import python_rules

    rules = python_rules.RuleSet()

    @rules.rule("ZZ001", name="n", severity="info", summary="s.", bad="  a: 1", good="  a: 2")
    def check(ctx):
        """
        Why, indented.
        """
        yield from ()

    def refuse(text):
        raise AssertionError("documentation built")

    monkeypatch.setattr(python_rules.inspect, "cleandoc", refuse)
    assert rules.check_of("ZZ001") is check and rules.check_of("ZZ002") is None
    monkeypatch.undo()
    [rule] = list(rules)
    assert (rule.rationale, rule.bad, rule.good) == ("Why, indented.", "a: 1\n", "a: 2\n")
    assert rule.check is check and len(rules) == 1


def test_unwritable_rule_cache_is_ignored(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("NIMLINT_CACHE_DIR", str(blocker / "cache"))
    assert len(build_registry(plugins=False)) > 80


def _specs(folder: Path, count: int) -> None:
    """``count`` example bodies; the first half with a negative replica count (one finding)."""
    good = (ROOT / "examples" / "llama3-8b-instruct.yaml").read_text()
    for index in range(count):
        text = good.replace("replicas: 1", f"replicas: {index - count // 2}")
        (folder / f"spec-{index:03}.yaml").write_text(text)


def test_worker_processes_give_the_same_report(tmp_path: Path, monkeypatch) -> None:
    from nimlint import run
    from nimlint.lint import Options, lint_paths
    from nimlint.run import run_parallel

    monkeypatch.setattr(run, "CHUNK_FILES", 7)  # many small tasks, merged back in file order

    _specs(tmp_path, 120)
    serial = lint_paths([str(tmp_path)], Options())
    parallel = run_parallel([str(tmp_path)], Options(), jobs=2)
    assert parallel.files == serial.files
    assert parallel.findings == serial.findings
    assert len(serial.findings) == 60
    assert set(parallel.rules) == set(serial.rules)


@pytest.mark.parametrize("forks", [0, 1])
def test_a_worker_that_cannot_be_forked_leaves_the_work_to_the_others(
    tmp_path: Path, monkeypatch, forks: int
) -> None:
    """A process limit (EAGAIN): the workers that did start lint every file, or, with none,
    the parent does; the report is the same as one process's."""
    import errno
    import os

    from nimlint.lint import Options, lint_paths
    from nimlint.run import run_parallel

    _specs(tmp_path, 40)
    fork, started = os.fork, []

    def limited() -> int:
        if len(started) == forks:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        started.append(1)
        return fork()

    monkeypatch.setattr(os, "fork", limited)
    parallel = run_parallel([str(tmp_path)], Options(), jobs=2)
    serial = lint_paths([str(tmp_path)], Options())
    assert (parallel.files, parallel.findings) == (serial.files, serial.findings)
    assert len(serial.findings) == 20 and len(started) == forks


@given(st.integers(1, 200_000), st.integers(2, 64))
def test_chunk_numbers_fit_in_one_pipe_write(count: int, workers: int) -> None:
    """At most 1,024 chunks (their numbers: one write of PIPE_BUF bytes), every file once, in
    order, none empty, at most CHUNK_FILES each unless that many files need bigger ones."""
    from nimlint import run

    files = [str(i) for i in range(count)]
    chunks = run._chunks(files, workers)
    assert len(chunks) <= run._MAX_CHUNKS
    assert [f for chunk in chunks for f in chunk] == files
    assert all(chunks) and (count > 32 * 1024 or max(map(len, chunks)) <= run.CHUNK_FILES)


class _Unbuildable(Exception):
    def __init__(self, message: str, detail: str):  # pickle rebuilds it with one argument
        super().__init__(message)


@pytest.mark.parametrize(
    ("raised", "expected"),
    [(UsageError("a bad --base"), UsageError), (_Unbuildable("odd", "x"), RuntimeError)],
)
def test_what_stops_a_worker_is_raised_in_the_parent(
    tmp_path: Path, monkeypatch, raised: Exception, expected: type
) -> None:
    from nimlint import run

    def failing(*args, **kwargs):
        raise raised

    _specs(tmp_path, 4)
    monkeypatch.setattr(run, "lint_files", failing)
    with pytest.raises(expected) as caught:
        run.run_parallel([str(tmp_path)], Options(), jobs=2)
    assert "a bad --base" in str(caught.value) or str(caught.value) == "_Unbuildable: odd"


def test_required_reports_a_nested_path_on_its_deepest_existing_mapping() -> None:
    from nimlint.engine.functions import required

    context = Context({}, "create")
    options = {"fields": ["claimInfo/size"]}
    pvc = {"claimInfo": {"storageClass": "fast"}}
    found = [(p.pointer, p.message) for p in required(pvc, options, "/spec/pvc", context)]
    assert found == [("/spec/pvc/claimInfo", "spec.pvc.claimInfo needs size")]
    assert [p.pointer for p in required({}, options, "/spec/pvc", context)] == ["/spec/pvc"]
    assert list(required({"claimInfo": "x"}, options, "/spec/pvc", context)) == []


def test_a_rule_that_yields_something_else_than_a_problem_is_x002() -> None:
    """A third-party rule's bug: a message that is not text (or no Problem at all) is the rule's
    X002 finding, not a crash when the report is written."""
    from types import SimpleNamespace

    from nimlint.findings import Problem
    from nimlint.pipeline import _run_rules

    def odd(ctx):
        yield Problem("/spec", b"bytes")
        yield Problem(123, "x")
        yield "not a problem"
        yield Problem("/metadata", "fine")

    rules = [SimpleNamespace(id="ZZ1", check=odd)]
    found = [(rule, p.pointer, p.message) for rule, p in _run_rules(rules, Context({}, "create"))]
    malformed = "rule ZZ1 returned a malformed problem: "
    assert found == [
        ("X002", "", malformed + repr(Problem("/spec", b"bytes"))),
        ("X002", "", malformed + repr(Problem(123, "x"))),
        ("X002", "", malformed + "'not a problem'"),
        ("ZZ1", "/metadata", "fine"),
    ]


def test_a_crashing_rule_keeps_what_it_found_and_the_next_rule_runs() -> None:
    from types import SimpleNamespace

    from nimlint.findings import Problem
    from nimlint.pipeline import _run_rules

    def half(ctx):
        yield Problem("/spec", "first")
        raise ValueError("boom")

    def whole(ctx):
        yield Problem("/metadata", "second")

    rules = [SimpleNamespace(id="ZZ1", check=half), SimpleNamespace(id="ZZ2", check=whole)]
    found = [(rule, p.pointer, p.message) for rule, p in _run_rules(rules, Context({}, "create"))]
    assert found == [
        ("ZZ1", "/spec", "first"),
        ("X002", "", "rule ZZ1 crashed: ValueError: boom"),
        ("ZZ2", "/metadata", "second"),
    ]
