"""Rule files and Python rule modules from a checkout cannot put control characters, bidi or
invisible characters, or a forged line (a GitHub ``::error`` command) on nimlint's output:
every rule id, name, summary, doc and message is shown through ``escaping.printable``."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from test_cli import nimlint

from nimlint.report import FORMATS

ESC, RLO, ZWSP, BEL = "\x1b", "\u202e", "\u200b", "\x07"

# A valid rule file whose summary, rationale and message hold ESC, U+202E, U+200B and a newline
# that would start a GitHub workflow command (docs may keep their newlines). Ids and names
# are held to a pattern.
HOSTILE_YAML = r"""rules:
  - id: HOST001
    name: host-rule
    severity: warning
    summary: "sum\u001b[31mred\u001b]0;t\u0007\n::error::summary \u202eevil\u200b"
    rationale: "line one\u001b[2J\nline two \u202e"
    bad: "spec: {replicas: 5}\n"
    good: "spec: {replicas: 4}\n"
    check:
      where: /spec
      function: range
      options: {field: replicas, maximum: 4}
      message: "msg\u001b]0;t\u0007 {default}\n::error::message \u202e"
"""

# A Python rule module whose id, name, summary, docstring, examples and message are hostile.
HOSTILE_PLUGIN = r'''
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem, Repair
RULES = RuleSet()
@RULES.rule(
    "PL\x1b]0;t\x07001\n::error::id",
    name="pl\u202ename\n::error::name",
    severity="warning",
    summary="s\x1b]0;title\x07\n::error::summary\u200b",
    bad="a: 1\x1b]0;t\x07\n",
    good="b: 1\u202e\n",
    fix="safe",
)
def always(ctx):
    """Doc \x1b]0;t\x07 red
    second line"""
    repair = Repair("remove", "/spec/replicas", "remove\x1b]0;t\x07 it\n::error::fix")
    yield Problem("/spec/replicas", "plugin\x1b]0;t\x07 message\n::error::message", repair=repair)
'''

SPEC = 'metadata: {name: a, projectId: "1"}\nspec:\n  replicas: 7\n  image: nvcr.io/nim/a:1\n'


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    (tmp_path / "hostile.yaml").write_text(HOSTILE_YAML)
    (tmp_path / "plug.py").write_text(HOSTILE_PLUGIN)
    (tmp_path / "spec.yaml").write_text(SPEC)
    return tmp_path


def assert_clean(output: bytes, *, commands: str = "") -> str:
    """``output`` has no unprintable character but newlines and tabs, and no line is a
    workflow command (but those starting with ``commands``, for --format github)."""
    text = output.decode()
    assert all(c.isprintable() or c in "\n\t" for c in text), repr(text)
    for line in text.splitlines():
        assert not line.startswith("::") or (commands and line.startswith(commands)), line
    return text


def test_rules_listing_escapes_a_rule_files_text(checkout: Path) -> None:
    run = nimlint("rules", "--rules", "hostile.yaml", cwd=checkout)
    assert run.returncode == 0, run.stderr
    text = assert_clean(run.stdout)
    assert r"sum\x1b[31mred\x1b]0;t\x07\x0a::error::summary \u202eevil\u200b" in text


def test_rules_listing_escapes_a_plugins_text(checkout: Path) -> None:
    run = nimlint("rules", "--rules", "plug.py", cwd=checkout)
    text = assert_clean(run.stdout)
    line = next(line for line in text.splitlines() if line.startswith("PL"))
    assert line.startswith(r"PL\x1b]0;t\x07001\x0a::error::id warning  pl\u202ename\x0a")


def test_rules_json_holds_the_escaped_text(checkout: Path) -> None:
    run = nimlint(
        "rules", "--format", "json", "--rules", "hostile.yaml", "--rules", "plug.py", cwd=checkout
    )
    assert_clean(run.stdout)
    entries = {entry["name"]: entry for entry in json.loads(run.stdout)}
    assert entries["host-rule"]["summary"] == (
        r"sum\x1b[31mred\x1b]0;t\x07\x0a::error::summary \u202eevil\u200b"
    )
    plugin = entries[r"pl\u202ename\x0a::error::name"]
    assert plugin["id"] == r"PL\x1b]0;t\x07001\x0a::error::id"
    assert plugin["summary"] == r"s\x1b]0;title\x07\x0a::error::summary\u200b"


def test_rule_docs_keep_their_lines_and_nothing_else(checkout: Path) -> None:
    run = nimlint("rule", "HOST001", "--rules", "hostile.yaml", cwd=checkout)
    assert run.returncode == 0, run.stderr
    text = assert_clean(run.stdout)
    assert "\nline one\\x1b[2J\nline two \\u202e\n" in text  # docs keep their lines
    lines = text.splitlines()
    assert r"sum\x1b[31mred\x1b]0;t\x07\x0a::error::summary \u202eevil\u200b" in lines


def test_rule_docs_of_a_plugin(checkout: Path) -> None:
    run = nimlint("rule", "pl\u202ename\n::error::name", "--rules", "plug.py", cwd=checkout)
    assert run.returncode == 0, run.stderr
    text = assert_clean(run.stdout)
    assert text.startswith("## PL\\x1b]0;t\\x07001\\x0a::error::id\n")
    assert "a: 1\\x1b]0;t\\x07\n" in text and "b: 1\\u202e\n" in text


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "runai"])  # runai needs a policy
def test_findings_of_hostile_rules_in_every_format(checkout: Path, fmt: str) -> None:
    args = ("--rules", "hostile.yaml", "--rules", "plug.py", "--select", "HOST,PL")
    run = nimlint("check", *args, "--format", fmt, "spec.yaml", cwd=checkout)
    assert run.returncode == 0, run.stderr
    text = assert_clean(run.stdout, commands="::warning file=spec.yaml," if fmt == "github" else "")
    assert "PL" in text
    if fmt in ("json", "sarif"):
        json.loads(text)
    if fmt == "junit":
        ElementTree.fromstring(run.stdout)  # well-formed: no control character in the XML


def test_sarif_rule_metadata_is_the_escaped_text(checkout: Path) -> None:
    args = ("--rules", "hostile.yaml", "--rules", "plug.py", "--select", "HOST,PL")
    run = nimlint("check", *args, "--format", "sarif", "spec.yaml", cwd=checkout)
    driver = json.loads(run.stdout)["runs"][0]["tool"]["driver"]
    rules = {rule["name"]: rule for rule in driver["rules"]}
    plugin = rules[r"pl\u202ename\x0a::error::name"]
    assert plugin["id"] == r"PL\x1b]0;t\x07001\x0a::error::id"
    assert plugin["shortDescription"]["text"] == r"s\x1b]0;title\x07\x0a::error::summary\u200b"
    assert plugin["fullDescription"]["text"] == "Doc \\x1b]0;t\\x07 red\nsecond line"
    assert "\\" not in plugin["helpUri"] and " " not in plugin["helpUri"]
    host = rules["host-rule"]
    assert host["fullDescription"]["text"] == "line one\\x1b[2J\nline two \\u202e"
    results = json.loads(run.stdout)["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"HOST001", plugin["id"]}


def test_statistics_escape_a_plugins_id_and_name(checkout: Path) -> None:
    args = ("--rules", "plug.py", "--select", "PL", "--statistics")
    text = assert_clean(nimlint("check", *args, "spec.yaml", cwd=checkout).stdout)
    assert r"PL\x1b]0;t\x07001\x0a::error::id" in text


def test_a_rule_file_that_cannot_load_is_quoted_escaped(checkout: Path) -> None:
    bad = HOSTILE_YAML.replace("name: host-rule", r'name: "a\u001b[31mb\n::error::x"')
    (checkout / "bad\u202e.yaml").write_text(bad)
    run = nimlint("rules", "--rules", "bad\u202e.yaml", cwd=checkout)
    assert run.returncode == 2
    text = assert_clean(run.stderr)
    assert text.startswith("nimlint: error: bad\\u202e.yaml: invalid rule file at rules/0/name")


@pytest.mark.parametrize("value", ["2024-01-01", "!!binary aGVsbG8=", "!!set {a}"])
def test_a_rule_file_value_that_is_not_json_data_is_a_usage_error(
    checkout: Path, value: str
) -> None:
    (checkout / "odd.yaml").write_text(HOSTILE_YAML.replace("severity: warning", f"x: {value}"))
    run = nimlint("check", "--rules", "odd.yaml", "spec.yaml", cwd=checkout)
    assert run.returncode == 2
    assert run.stderr.decode().startswith("nimlint: error: odd.yaml: invalid rule file"), run.stderr


def test_a_plugins_fix_message_is_escaped(checkout: Path) -> None:
    args = ("--rules", "plug.py", "--select", "PL", "--format", "json")
    run = nimlint("check", *args, "spec.yaml", cwd=checkout)
    (finding,) = json.loads(run.stdout)["findings"]
    assert finding["fix"]["message"] == r"remove\x1b]0;t\x07 it\x0a::error::fix"
