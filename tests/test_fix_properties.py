"""Property tests for --fix on generated documents broken in fixable ways.

A valid document V is generated; M is V broken by mutations that each have one right
repair (a string written as a number, an enum value in the wrong case, an unquoted YAML 1.1
reading, an exact duplicate list entry, a value on an Exists toleration; with unsafe fixes
also a key in the wrong case and an upper-case name). Comments are sprinkled over M's text
(never inside a string), and some files end their lines with CRLF.
Fixing M must give back V's data, V's findings, M's untouched lines byte for byte, and a
second fix must change nothing.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nimlint.engine.context import lookup
from nimlint.engine.fix_edits import SourceText
from nimlint.fixer import wanted
from nimlint.lint import Linter, Options
from nimlint.loading.model import ParseFailure, escape_token, unescape_token
from nimlint.loading.source import documents as parse
from tests.profiles import examples
from tests.strategies import documents, load_schema, sites, to_yaml

ROOT_SCHEMA = load_schema("create")
PROPERTY = settings(
    max_examples=examples(25), deadline=None, suppress_health_check=list(HealthCheck)
)
DUPLICABLE = (
    "/spec/environmentVariables",
    "/spec/labels",
    "/spec/annotations",
    "/spec/tolerations",
    "/spec/imagePullSecrets",
)
# 0755 reads as 755 in YAML 1.2: its quote (text and value disagree) is an unsafe fix.
YAML11 = ("yes", "1_000", "1:30", "off")
SENTINEL = "nimlintyamlsentinel{}"
COMMENT = re.compile(r" *# comment \d+: keep me\r?\n")


def _set(data: Any, pointer: str, value: Any) -> None:
    parent, _, token = pointer.rpartition("/")
    node = lookup(data, parent)
    node[int(token) if isinstance(node, list) else unescape_token(token)] = value


def _accepts(schema: dict, text: str) -> bool:
    types = schema.get("type", [])
    types = types if isinstance(types, list) else [types]
    return (
        types in (["string"], ["string", "null"], ["null", "string"])
        and "enum" not in schema
        and re.fullmatch(schema.get("pattern", ".*"), text) is not None
        and schema.get("minLength", 0) <= len(text) <= schema.get("maxLength", 10**6)
    )


def _breakages(site, unsafe: bool) -> list[str]:
    """The fixable ways to break ``site``."""
    pointer, schema, value = site.pointer, site.schema, site.value
    ways = []
    if _accepts(schema, "8192"):
        ways.append("number")
    if any(_accepts(schema, text) for text in YAML11):
        ways.append("yaml11")
    members = [m for m in schema.get("enum", []) if isinstance(m, str)]
    if (
        isinstance(value, str)
        and value.swapcase() != value
        and [m.lower() for m in members].count(value.lower()) == 1
    ):
        ways.append("enum")
    first = value[0] if pointer in DUPLICABLE and value else None
    if isinstance(first, dict) and isinstance(first.get("name"), str) and first["name"]:
        ways.append("duplicate")
    tolerations = re.fullmatch(r"/spec/tolerations/\d+", pointer)
    if tolerations and isinstance(value, dict) and value.get("exclude") is not True:
        ways.append("exists")
    if unsafe and pointer == "/metadata/name":
        ways.append("case")
    return ways


@st.composite
def broken(draw, unsafe: bool) -> tuple[Any, Any, dict[str, str]]:
    """(V, M, sentinels): a valid document, its fixable breakage, text to put in M's YAML."""
    valid = draw(documents("create"))
    if unsafe and isinstance(valid.get("spec"), dict) and valid["spec"].get("autoscaling"):
        valid["spec"]["replicas"] = None  # V must need no fix: A003 (unsafe) would have one
    if unsafe:
        valid["metadata"]["name"] = "llama-3b"  # nor K001 (unsafe), on a random name
    fixed_v, broken_m, sentinels, used = copy.deepcopy(valid), copy.deepcopy(valid), {}, []
    choices = [
        (s, way) for s in sites(ROOT_SCHEMA, valid) if s.pointer for way in _breakages(s, unsafe)
    ]
    assume(choices)
    for _ in range(draw(st.integers(1, 4))):
        site, way = draw(st.sampled_from(choices))
        pointer, value = site.pointer, site.value
        if any(pointer.startswith(u) or u.startswith(pointer) for u in used):
            continue
        used.append(pointer)
        if way == "number":
            number = draw(st.sampled_from([8192, True]))
            _set(fixed_v, pointer, "true" if number is True else "8192")
            _set(broken_m, pointer, number)
        elif way == "enum":
            _set(broken_m, pointer, value.swapcase())
        elif way == "yaml11":
            text = draw(st.sampled_from([t for t in YAML11 if _accepts(site.schema, t)]))
            sentinel = SENTINEL.format(len(sentinels))
            sentinels[sentinel] = text
            _set(fixed_v, pointer, text)
            _set(broken_m, pointer, sentinel)
        elif way == "duplicate":
            lookup(broken_m, pointer).append(copy.deepcopy(value[0]))
        elif way == "exists":
            value = {k: v for k, v in value.items() if k != "value"}
            value["operator"] = "Exists"
            _set(fixed_v, pointer, value)
            _set(broken_m, pointer, {**value, "value": "present"})
        else:  # case
            _set(broken_m, pointer, "Llama-3B")
    return fixed_v, broken_m, sentinels


@st.composite
def commented(draw, text: str) -> str:
    """``text`` with full-line comments inserted between its lines, and maybe CRLF line ends.

    Not inside a multi-line quoted scalar: a ``#`` line there is part of the string.
    """
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)  # as nimlint counts lines
    data = _data(text, False)
    for number in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(lines)))
        indent = " " * draw(st.integers(0, 6))
        tried = [*lines[:at], f"{indent}# comment {number}: keep me\n", *lines[at:]]
        if _reads_as("".join(tried), data):
            lines = tried
    text = "".join(lines)
    crlf = text.replace("\n", "\r\n")
    return crlf if draw(st.booleans()) and _reads_as(crlf, data) else text


def _reads_as(text: str, data: Any) -> bool:
    reading = next(iter(parse(text, is_json=False)))
    return not isinstance(reading, ParseFailure) and _same(reading.data, data)


def _comments(text: str, is_json: bool) -> list[str]:
    """The comment lines ``commented`` put in ``text`` (a string may hold a ``#`` line)."""
    return [line for line in _lines(text, is_json) if COMMENT.fullmatch(line)]


def _lint(linter: Linter, text: str, name: str) -> list:
    return linter.lint_bytes(text.encode("utf-8"), name, Path.cwd())


def _data(text: str, is_json: bool) -> Any:
    return next(iter(parse(text, is_json=is_json))).data


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _lines(text: str, is_json: bool) -> list[str]:
    """``text`` split where the loader counts lines (JSON: only CR and LF)."""
    starts = SourceText(text, is_json).starts
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True) if a < b]


def _untouched_lines(text: str, is_json: bool, findings: list, unsafe: bool) -> list[str]:
    """M's lines that no wanted fix edits."""
    touched = set()
    for finding in findings:
        if wanted(finding.fix, unsafe):
            for edit in finding.fix.edits:
                last = edit.span.end_line - (edit.span.end_column == 1 and edit.end > edit.start)
                touched.update(range(edit.span.line, max(edit.span.line, last) + 1))
    return [line for n, line in enumerate(_lines(text, is_json), 1) if n not in touched]


def _changed(a: Any, b: Any, pointer: str = "") -> list[str]:
    """The pointers of the values that differ between ``a`` and ``b``, and their siblings'
    parent (a rule may report the entry that holds the value)."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = [k for k in a if k in b]
        return [p for k in keys for p in _changed(a[k], b[k], f"{pointer}/{escape_token(k)}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            p
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for p in _changed(x, y, f"{pointer}/{i}")
        ]
    return [] if _same(a, b) or pointer == "" else [pointer.rpartition("/")[0]]


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(any(line == other for other in rest) for line in part)


def check_fix(data: tuple, json_form: bool, unsafe: bool, draw_comments) -> None:
    fixed_v, broken_m, sentinels = data
    name = "spec.json" if json_form else "spec.yaml"
    if json_form:
        assume(not sentinels)
        text = json.dumps(broken_m, indent=2, ensure_ascii=False) + "\n"
        expected_text = json.dumps(fixed_v, indent=2, ensure_ascii=False) + "\n"
    else:
        text = to_yaml(broken_m)
        for sentinel, reading in sentinels.items():
            text = text.replace(sentinel, reading)
        text = draw_comments(text)
        expected_text = to_yaml(fixed_v)
    assume(_same(_data(expected_text, json_form), fixed_v))
    linter = Linter(Options(fix="unsafe" if unsafe else "safe"))
    expected = _lint(linter, expected_text, name)
    assume(not any(wanted(f.fix, unsafe) for f in expected))  # V itself needs no fix
    # A repaired value that V's rules reject makes its fix unsafe: not a fixable breakage.
    changed = _changed(fixed_v, broken_m)
    assume(
        not any(f.pointer == p or f.pointer.startswith(f"{p}/") for f in expected for p in changed)
    )
    before = _lint(linter, text, name)
    result = linter.fix_bytes(text.encode("utf-8"), name, Path.cwd(), name)

    # The fixed document parses to V: the original except at the fixed pointers.
    assert _same(_data(result.text, json_form), fixed_v), result.text

    # The fixed findings are gone and no new one appears: exactly V's findings remain.
    def keys(findings):
        return Counter((f.rule, f.pointer, f.message) for f in findings)

    assert keys(result.findings) == keys(expected)
    # Every finding without a fix is still there (but those the breakage itself caused,
    # which V does not have: a number in a quantity field silences a comparison rule...).
    unfixed = keys(f for f in before if not wanted(f.fix, unsafe)) & keys(expected)
    assert not unfixed - keys(result.findings)
    # Every comment line and every line without an edit is byte-identical, in order.
    after = _lines(result.text, json_form)
    assert _is_subsequence(_untouched_lines(text, json_form, before, unsafe), after)
    assert _is_subsequence(_comments(text, json_form), after)
    # A second --fix changes nothing.
    again = linter.fix_bytes(result.encoded(), name, Path.cwd(), name)
    assert not again.changed


@PROPERTY
@given(broken(unsafe=False), st.booleans(), st.data())
def test_safe_fixes_restore_the_intended_document(data, json_form, draw) -> None:
    check_fix(data, json_form, False, lambda text: draw.draw(commented(text)))


@PROPERTY
@given(broken(unsafe=True), st.booleans(), st.data())
def test_unsafe_fixes_restore_the_intended_document(data, json_form, draw) -> None:
    check_fix(data, json_form, True, lambda text: draw.draw(commented(text)))
