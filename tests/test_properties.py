"""Property tests: any input is safe, valid documents are clean, broken ones are placed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nimlint.engine.registry import build_registry
from nimlint.findings import Finding
from nimlint.lint import Linter, Options, lint_paths
from nimlint.loading.model import escape_token, unescape_token
from nimlint.schema.schemaset import shipped
from nimlint.schema.validate import KEYWORD_RULES, OTHER_RULE, SPECIFICITY, schema_problems
from tests.oracle import reference_validator
from tests.profiles import examples
from tests.strategies import (
    documents,
    load_schema,
    mutated_documents,
    mutations,
    render,
    sites,
    text_lines,
    to_yaml,
    yaml_options,
)

KNOWN_RULES = set(build_registry())
SCHEMA_RULES = {f"S{i:03}" for i in range(1, 11)}
CLEAN = SCHEMA_RULES | {f"P0{i:02}" for i in range(1, 12)} | {"X002"}  # X002: a rule crashed
KEY_RULES = {"S006", "S008"}  # placed at the key, not the value
SCHEMAS = shipped()
FAST = settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Pieces of YAML and JSON, so that random text reaches past the scanner now and then.
TOKENS = st.sampled_from(
    [
        *"abc:-[]{}?&*!,'\"#|>%@`\n \t.019~<=/\\",
        *("<<", "null", ".nan", "1e999", "!!str", "!!int", "!!map", "!!python/name:os.system"),
        *("---", "...", "&a", "*a", "- ", ": ", "? ", "\ufeff", "\x85", "\u2028", "é", "\x07"),
        *("metadata", "spec", "replicas"),
    ]
)
YAMLISH = st.lists(TOKENS, max_size=40).map("".join)
ENCODED = st.tuples(YAMLISH, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"])).map(
    lambda pair: pair[0].encode(pair[1])
)
ANY_BYTES = st.one_of(st.binary(max_size=200), ENCODED, st.text(max_size=100).map(str.encode))
STDIN_NAMES = st.sampled_from([None, "spec.json", "spec.yaml"])


def assert_well_formed(findings: list[Finding], name: str) -> None:
    for f in findings:
        assert f.rule in KNOWN_RULES and f.rule != "X002", f  # X002: a rule crashed
        assert f.file == name and f.line >= 1 and f.column >= 1, f
        assert (f.end_line, f.end_column) >= (f.line, f.column), f
        assert f.pointer == "" or f.pointer.startswith("/"), f
        assert f.message, f


# --- any input ----------------------------------------------------------------------------


@FAST
@given(ANY_BYTES, STDIN_NAMES)
def test_any_bytes_on_stdin(raw: bytes, name: str | None) -> None:
    result = lint_paths(["-"], Options(stdin_filename=name), stdin=raw)
    assert result.files == [name or "-"] and not result.errors
    assert_well_formed(result.findings, name or "-")


@settings(max_examples=examples(5), deadline=None)
@given(ANY_BYTES)
def test_any_bytes_through_the_cli(raw: bytes) -> None:
    command = [sys.executable, "-m", "nimlint", "check", "--format", "json", "-"]
    proc = subprocess.run(command, input=raw, capture_output=True, timeout=30)
    assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["files"] == 1


# --- valid documents are clean ------------------------------------------------------------


LINTERS = {kind: Linter(Options(kind=kind)) for kind in ("create", "update")}


def lint_document(data: Any, kind: str, as_json: bool, **yaml_kw) -> tuple[str, list[Finding]]:
    """Serialize ``data`` (JSON, or YAML with ``yaml_kw``) and lint it as ``kind``."""
    text = json.dumps(data, ensure_ascii=False) if as_json else to_yaml(data, **yaml_kw)
    name = "doc.json" if as_json else "doc.yaml"
    return text, LINTERS[kind].lint_bytes(text.encode("utf-8"), name, Path.cwd())


@FAST
@given(st.sampled_from(["create", "update"]), st.data(), st.booleans(), yaml_options)
def test_valid_documents_have_no_schema_finding(kind, data, as_json, options) -> None:
    document = data.draw(documents(kind))
    text, findings = lint_document(document, kind, as_json, **options)
    assert [f for f in findings if f.rule in CLEAN] == [], text


# --- broken documents are reported where they were broken ---------------------------------


@FAST
@given(st.sampled_from(["create", "update"]), st.data(), st.booleans())
def test_mutations_are_found_at_the_pointer(kind, data, as_json) -> None:
    broken, mutation = data.draw(mutated_documents(kind))
    text, findings = lint_document(broken, kind, as_json)
    assert (mutation.rule, mutation.pointer) in {(f.rule, f.pointer) for f in findings}, text


@FAST
@given(mutated_documents("create"), yaml_options)
def test_positions_point_at_the_key_or_value(pair, options) -> None:
    broken, _ = pair
    text, findings = lint_document(broken, "create", False, **options)
    lines = text_lines(text)
    for f in findings:
        if f.rule not in SCHEMA_RULES:
            continue
        at = "key" if f.rule in KEY_RULES else "value"
        expected = expected_text(broken, f.pointer, at, options)
        found = lines[f.line - 1][f.column - 1 :]
        assert found.startswith(expected), (f, expected, text)


def expected_text(data: Any, pointer: str, at: str, options: dict) -> str:
    """How the text at a finding should start: the key's name, or the value's YAML."""
    parent, value, token = None, data, None
    for token in pointer.split("/")[1:]:
        parent = value
        token = unescape_token(token)
        value = value[int(token)] if isinstance(value, list) else value.get(token)
    if at == "key" and isinstance(parent, dict):
        return token
    return render(value, **options)


# --- the fast validator agrees with the reference implementation --------------------------

REFERENCE = reference_validator(load_schema("create"))  # the same formats as the fast path

# Any JSON value, to put anywhere.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def python_and_rust_agree(value: Any) -> bool:
    """False for the one known difference: a string ending in a newline.

    Python's re lets ``$`` match before a final newline, so python-jsonschema accepts
    "a\\n" for ^[a-z]+$; Rust's regex (like ECMA 262 and Go) does not: jsonschema-rs rejects it.
    """
    return not (isinstance(value, str) and value.endswith("\n"))


EDGES = st.sampled_from(["\n", "\r", " ", "\t", "é", "\u0661"])  # U+0661: an Arabic 1


def near_misses(pattern: str) -> st.SearchStrategy:
    """A match of ``pattern`` with an edge character before or after it."""
    return st.tuples(st.from_regex(pattern, fullmatch=True), EDGES, st.booleans()).map(
        lambda t: t[0] + t[1] if t[2] else t[1] + t[0]
    )


@st.composite
def wild_documents(draw) -> Any:
    """A valid document with one value replaced by any JSON value or a pattern's near miss."""
    document = json.loads(json.dumps(draw(documents("create"))))
    choices = [site for site in sites(load_schema("create"), document) if site.pointer]
    if not choices:
        return document
    patterned = [site for site in choices if "pattern" in site.schema] or choices
    site = draw(st.sampled_from(choices) | st.sampled_from(patterned))
    pattern = site.schema.get("pattern")
    value = draw((near_misses(pattern) if pattern else JSON_VALUES).filter(python_and_rust_agree))
    *parents, last = site.pointer.split("/")[1:]
    node = document
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[unescape_token(token)]
    node[int(last) if isinstance(node, list) else unescape_token(last)] = value
    return document


def fast_pairs(data: Any) -> Counter:
    errors = SCHEMAS.validator("create").iter_errors(data)
    return Counter((_pointer(e.instance_path), e.kind.name) for e in errors)


def reference_pairs(data: Any) -> Counter:
    errors = REFERENCE.iter_errors(data)
    return Counter((_pointer(e.absolute_path), e.validator) for e in errors)


def _pointer(path) -> str:
    return "".join(f"/{escape_token(str(token))}" for token in path)


@FAST
@given(st.one_of(documents("create"), mutated_documents("create").map(lambda pair: pair[0])))
def test_validators_agree(data: Any) -> None:
    assert_validators_agree(data)


@FAST
@given(wild_documents())
def test_validators_agree_on_near_misses(data: Any) -> None:
    assert_validators_agree(data)


def assert_validators_agree(data: Any) -> None:
    """Same (pointer, keyword) failures, and schema_problems reports each missing property
    and, for every other failing value, the most specific of its rules (one per value)."""
    expected = reference_pairs(data)
    assert fast_pairs(data) == expected
    mapped: Counter = Counter()
    per_value: dict[str, str] = {}
    for (pointer, keyword), count in expected.items():
        rule = KEYWORD_RULES.get(keyword, OTHER_RULE)
        if keyword == "required":
            mapped[pointer, rule] += count
        elif pointer not in per_value or SPECIFICITY.index(rule) < SPECIFICITY.index(
            per_value[pointer]
        ):
            per_value[pointer] = rule
    mapped.update(per_value.items())
    problems = schema_problems(SCHEMAS, "create", data)
    assert Counter((p.pointer, rule) for rule, p in problems) == mapped


@settings(max_examples=examples(10), deadline=None)
@given(documents("create", full=True))
def test_the_mutations_reach_every_schema_rule(document) -> None:
    """Full documents can be broken in every way the schema rules describe."""
    root = load_schema("create")
    found = {m.rule for site in sites(root, document) for m in mutations(site)}
    assert found == SCHEMA_RULES - {"S009"}


@given(
    st.text(alphabet="ab \t\n\r\x85\u2028\u2029", max_size=40),
    st.sets(st.integers(1, 12), max_size=5),
)
def test_source_lines_split_lines_as_the_loader_counts_them(text: str, wanted: set[int]) -> None:
    import re

    from nimlint.driver import source_lines
    from nimlint.loading.layout import LINE_BREAK

    lines = re.split(LINE_BREAK, text)
    expected = {n: lines[n - 1] for n in wanted if n <= len(lines)}
    assert source_lines(text.encode("utf-8"), wanted) == expected
