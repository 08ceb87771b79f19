"""--fix on NIM bodies written in every YAML style, with fixable defects injected (issue 20).

A document is a tree whose every scalar, key and entry knows its text as written and its
text after the fix (a defect's repair, or nothing when it is not fixable or suppressed).
The tree is written out in the drawn style (block or flow per collection, plain, single or
double quotes, comments on their own lines and after values, anchors and aliases, LF, CRLF
or lone CR, a BOM, no final newline, several documents, or JSON compact or indented), once
as broken and once as the fix must leave it. Through the CLI and in-process:

- --fix writes exactly the expected text: the intended data, nothing else changed (a
  comment is kept unless it is an unused suppression, which X001 removes), byte for byte;
- a second --fix changes nothing; no fixable finding and no new error is left;
- suppressed defects are untouched;
- --diff applied with ``patch -p0`` gives what --fix writes;
- --fix - (with and without --stdin-filename) writes the same text; no traceback anywhere.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nimlint.cli import cli
from nimlint.findings import Severity
from nimlint.fixer import wanted
from nimlint.lint import Linter, Options
from nimlint.loading.model import ParseFailure
from nimlint.loading.scalars import resolve_plain, yaml11_reading
from nimlint.loading.source import documents as parse
from tests.profiles import examples

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck))

# --- the tree -------------------------------------------------------------------------


@dataclass
class Scalar:
    text: str  # as written (a plain, quoted or JSON token)
    fixed: str  # as --fix leaves it
    value: Any  # the data it stands for after the fix


@dataclass
class Entry:
    key: str
    value: Any  # Scalar, Mapping or Sequence
    fixed_key: str = ""
    removed: bool = False  # the fix removes the entry
    comment: str = ""  # a comment line before it (block style only)
    trailing: tuple[str, str] = ("", "")  # a comment after a scalar value: written, fixed

    def __post_init__(self):
        self.fixed_key = self.fixed_key or self.key


@dataclass
class Mapping:
    entries: list[Entry]
    flow: bool = False
    anchor: str = ""


@dataclass
class Sequence:
    items: list[Entry]  # key unused
    flow: bool = False


@dataclass
class Alias:
    name: str
    target: Any  # the anchored node it repeats


@dataclass
class Style:
    json: bool = False
    indent_json: bool = True
    newline: str = "\n"
    bom: bool = False
    final_newline: bool = True


# --- writing it out ---------------------------------------------------------------------


def data(node: Any, fixed: bool) -> Any:
    if isinstance(node, Scalar):
        return node.value if fixed else resolve_plain_or_quoted(node.text)
    if isinstance(node, Alias):
        return data(node.target, fixed)
    if isinstance(node, Mapping):
        return {
            (e.fixed_key if fixed else e.key): data(e.value, fixed)
            for e in node.entries
            if not (fixed and e.removed)
        }
    return [data(e.value, fixed) for e in node.items if not (fixed and e.removed)]


def resolve_plain_or_quoted(text: str) -> Any:
    if text[:1] == '"':
        return json.loads(text)
    if text[:1] == "'":
        return text[1:-1].replace("''", "'")
    return resolve_plain(text)


def _flow(node: Any, fixed: bool) -> str:
    if isinstance(node, Scalar):
        return node.fixed if fixed else node.text
    if isinstance(node, Alias):
        return f"*{node.name}"
    anchor = f"&{node.anchor} " if isinstance(node, Mapping) and node.anchor else ""
    if isinstance(node, Mapping):
        parts = [
            f"{e.fixed_key if fixed else e.key}: {_flow(e.value, fixed)}"
            for e in node.entries
            if not (fixed and e.removed)
        ]
        return anchor + "{" + ", ".join(parts) + "}"
    return (
        "["
        + ", ".join(_flow(e.value, fixed) for e in node.items if not (fixed and e.removed))
        + "]"
    )


def _trailing(entry: Entry, fixed: bool) -> str:
    comment = entry.trailing[1] if fixed else entry.trailing[0]
    return f"  {comment}" if comment else ""


def _block(node: Any, indent: int, fixed: bool, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(node, Mapping):
        for e in node.entries:
            if e.comment:
                lines.append(f"{pad}{e.comment}")
            if fixed and e.removed:
                continue
            key = e.fixed_key if fixed else e.key
            if _inline(e.value):
                lines.append(f"{pad}{key}: {_flow(e.value, fixed)}{_trailing(e, fixed)}")
            else:
                lines.append(f"{pad}{key}:")
                _block(e.value, indent + 2, fixed, lines)
        return
    for e in node.items:
        if e.comment:
            lines.append(f"{pad}{e.comment}")
        if fixed and e.removed:
            continue
        value = e.value
        if _inline(value):
            lines.append(f"{pad}- {_flow(value, fixed)}{_trailing(e, fixed)}")
        elif value.anchor:
            lines.append(f"{pad}- &{value.anchor}")
            _block(value, indent + 2, fixed, lines)
        else:  # the first entry on the dash's line
            inner: list[str] = []
            _block(value, indent + 2, fixed, inner)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])


def _inline(node: Any) -> bool:
    return isinstance(node, (Scalar, Alias)) or node.flow


def _json(node: Any, indent: int | None, fixed: bool, depth: int = 0) -> str:
    if isinstance(node, Scalar):
        return node.fixed if fixed else node.text
    if isinstance(node, Mapping):
        parts = [
            f'"{e.fixed_key if fixed else e.key}": {_json(e.value, indent, fixed, depth + 1)}'
            for e in node.entries
            if not (fixed and e.removed)
        ]
        brackets = "{}"
    else:
        parts = [
            _json(e.value, indent, fixed, depth + 1)
            for e in node.items
            if not (fixed and e.removed)
        ]
        brackets = "[]"
    if indent is None or not parts:
        return brackets[0] + ", ".join(parts) + brackets[1]
    inner, outer = " " * indent * (depth + 1), " " * indent * depth
    return f"{brackets[0]}\n{inner}" + f",\n{inner}".join(parts) + f"\n{outer}{brackets[1]}"


def render(docs: list[Mapping], style: Style, fixed: bool) -> str:
    if style.json:
        lines = _json(docs[0], 2 if style.indent_json else None, fixed).split("\n")
    else:
        lines = []
        for number, doc in enumerate(docs):
            if number:
                lines.append("---")
            _block(doc, 0, fixed, lines)
    text = style.newline.join(lines) + (style.newline if style.final_newline else "")
    return ("\ufeff" if style.bom else "") + text


# --- drawing a broken document ---------------------------------------------------------------


def _plain_ok(text: str) -> bool:
    return (
        re.fullmatch(r"[A-Za-z/][A-Za-z0-9._/-]*", text) is not None
        and resolve_plain(text) == text
        and yaml11_reading(text) is None
    )


@st.composite
def string(draw, value: str, as_json: bool) -> Scalar:
    """A string written plain, single- or double-quoted."""
    if as_json:
        return Scalar(json.dumps(value), json.dumps(value), value)
    styles = ["'", '"'] + (["plain"] if _plain_ok(value) else [])
    quote = draw(st.sampled_from(styles))
    text = value if quote == "plain" else json.dumps(value) if quote == '"' else f"'{value}'"
    return Scalar(text, text, value)


def _recased(scalar: Scalar, wrong: str) -> Scalar:
    """``scalar`` written with ``wrong`` instead of its value, in the same style."""
    return Scalar(scalar.text.replace(scalar.value, wrong), scalar.text, scalar.value)


@dataclass
class Plan:
    unsafe: bool
    as_json: bool
    comments: int = 0  # comments written so far (each has its own number)
    anchors: int = 0


@st.composite
def enum_value(draw, plan: Plan, value: str) -> Scalar:
    scalar = draw(string(value, plan.as_json))
    if draw(st.booleans()):
        return _recased(scalar, value.swapcase() if value.lower() != value else value.upper())
    return scalar


@st.composite
def number_as_string(draw, plan: Plan, value: str) -> Scalar:
    """A digits-only string written as a number (S001: quote it), or as a string."""
    if draw(st.booleans()):
        return Scalar(value, json.dumps(value), value)
    return draw(string(value, plan.as_json))


@st.composite
def env_value(draw, plan: Plan) -> Scalar:
    way = draw(
        st.sampled_from(
            ["string", "number", "yaml11", "tab"] if not plan.as_json else ["string", "number"]
        )
    )
    if way == "number":
        return draw(number_as_string(plan, str(draw(st.integers(1, 99999)))))
    if way == "yaml11":  # P008/P009, read as a string in YAML 1.2: the fix quotes it
        text = draw(st.sampled_from(["yes", "off", "On", "1:30", "1_000"]))
        return Scalar(text, json.dumps(text), text)
    if way == "tab":
        return Scalar("'a\tb'", "'a\tb'", "a\tb")
    return draw(
        string(draw(st.sampled_from(["INFO", "on-demand", "x y", "#no-comment"])), plan.as_json)
    )


@st.composite
def trailing(draw, plan: Plan, entry: Entry) -> Entry:
    """Maybe a comment after the entry's value: kept, or an unused suppression (removed)."""
    if plan.as_json or entry.trailing[0]:  # not JSON; not instead of a suppression
        return entry
    kind = draw(st.sampled_from(["none", "none", "comment", "unused"]))
    if kind == "comment":
        plan.comments += 1
        comment = f"# trailing {plan.comments}"
        entry.trailing = (comment, comment)
    elif kind == "unused":
        entry.trailing = ("# nimlint: disable=S004", "")
    return entry


@st.composite
def leading(draw, plan: Plan, entry: Entry, block: bool) -> Entry:
    """Maybe a comment line before the entry (kept even when the entry is removed)."""
    if plan.as_json or not block or not draw(st.booleans()):
        return entry
    plan.comments += 1
    entry.comment = draw(
        st.sampled_from([f"# note {plan.comments}", "# a line separator at the end\u2028"])
    )
    return entry


@st.composite
def sequence(draw, plan: Plan, items: list, duplicable: bool) -> Sequence:
    """A list of ``items``, maybe with an exact duplicate of one (an alias in YAML) that the
    fix removes."""
    flow = not plan.as_json and draw(st.booleans())
    entries = [draw(leading(plan, Entry("", item), not flow)) for item in items]
    if duplicable and items and draw(st.booleans()):
        original = draw(st.sampled_from(items))
        at = draw(st.integers(items.index(original) + 1, len(entries)))
        if not plan.as_json and isinstance(original, Mapping) and draw(st.booleans()):
            if not original.anchor:
                plan.anchors += 1
                original.anchor = f"a{plan.anchors}"
            copy: Any = Alias(original.anchor, original)
        else:
            copy = _copied(original)
        entries.insert(at, draw(leading(plan, Entry("", copy, removed=True), not flow)))
    return Sequence(entries, flow=flow)


def _copied(node: Any) -> Any:
    if isinstance(node, Scalar):
        return Scalar(node.text, node.text, node.value)  # written as is, and removed
    return Mapping([Entry(e.key, _copied(e.value)) for e in node.entries], flow=node.flow)


@st.composite
def mapping(draw, plan: Plan, entries: list[Entry], flow: bool | None = None) -> Mapping:
    if flow is None:
        flow = not plan.as_json and draw(st.booleans())
    if not flow and not plan.as_json:
        entries = [
            draw(trailing(plan, draw(leading(plan, e, True))))
            if _is_scalar(e)
            else draw(leading(plan, e, True))
            for e in entries
        ]
    return Mapping(entries, flow=flow)


def _is_scalar(entry: Entry) -> bool:
    return isinstance(entry.value, Scalar)


@st.composite
def nim_body(draw, plan: Plan) -> Mapping:
    """A create request with fixable defects in most mappings, several per mapping."""
    s = lambda value: draw(string(value, plan.as_json))  # noqa: E731
    name = s("llama3-8b-instruct")
    if plan.unsafe and draw(st.booleans()):  # K001: lower-cased
        name = _recased(name, "Llama3-8B-Instruct")
    project = draw(number_as_string(plan, "4501"))
    policy_key = "imagePullPolicy"
    if plan.unsafe and draw(st.booleans()):  # S008: renamed
        policy_key = "imagepullpolicy"
    env = [
        draw(mapping(plan, [Entry("name", s(f"VAR_{i}")), Entry("value", draw(env_value(plan)))]))
        for i in range(draw(st.integers(1, 3)))
    ]
    exists = draw(st.booleans())
    toleration = [
        Entry("name", s("gpu")),  # T007 finds duplicates by name
        Entry("key", s("nvidia.com/gpu")),
        Entry("operator", draw(enum_value(plan, "Exists" if exists else "Equal"))),
    ]
    if exists and draw(st.booleans()):  # T003: a value on an Exists toleration goes
        toleration.append(Entry("value", s("present"), removed=True))
    elif not exists:
        toleration.append(Entry("value", s("present")))
    toleration.append(Entry("effect", draw(enum_value(plan, "NoSchedule"))))
    serving = [Entry("port", Scalar("8000", "8000", 8000))]
    if draw(st.booleans()):  # N003: a metricsPort equal to port goes
        serving.append(Entry("metricsPort", Scalar("8000", "8000", 8000), removed=True))
    serving.append(Entry("serviceType", draw(enum_value(plan, "ClusterIP"))))
    policy = draw(enum_value(plan, "IfNotPresent"))
    suppressed = not plan.as_json and policy.text != policy.fixed and draw(st.booleans())
    policy_entry = Entry(policy_key, policy, fixed_key="imagePullPolicy")
    if suppressed:  # left as written: the suppressions are used, and kept
        policy_entry.value = Scalar(policy.text, policy.text, resolve_plain_or_quoted(policy.text))
        policy_entry.fixed_key = policy_key
        ids = "S002" if policy_key == "imagePullPolicy" else "S008"  # no S002 on unknown keys
        policy_entry.trailing = (f"# nimlint: disable={ids}",) * 2
    labels = [draw(mapping(plan, [Entry("name", s("app")), Entry("value", s("llama"))]))]
    secrets = [
        draw(
            mapping(
                plan,
                [
                    Entry("name", s("ngc-registry")),
                    Entry("userCredential", Scalar("false", "false", False)),
                ],
            )
        )
    ]
    spec = [
        Entry("image", s("nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3")),
        policy_entry,
        Entry("ngcAuthSecret", s("ngc-api-secret")),
        Entry("imagePullSecrets", draw(sequence(plan, secrets, True))),
        Entry(
            "compute",
            draw(
                mapping(
                    plan,
                    [
                        Entry("gpuDevicesRequest", Scalar("1", "1", 1)),
                        Entry("gpuRequestType", draw(enum_value(plan, "portion"))),
                        Entry("gpuPortionRequest", Scalar("1", "1", 1)),
                    ],
                )
            ),
        ),
        Entry("environmentVariables", draw(sequence(plan, env, True))),
        Entry("servingPort", draw(mapping(plan, serving))),
        Entry("tolerations", draw(sequence(plan, [draw(mapping(plan, toleration))], True))),
        Entry("labels", draw(sequence(plan, labels, True))),
        Entry(
            "annotations",
            draw(
                sequence(
                    plan,
                    [
                        draw(
                            mapping(
                                plan,
                                [
                                    Entry("name", s("team.example.com/owner")),
                                    Entry("value", s("inference")),
                                ],
                            )
                        )
                    ],
                    True,
                )
            ),
        ),
    ]
    if plan.unsafe and draw(st.booleans()):  # A003: replicas goes where autoscaling is set
        scaling = [("minReplicas", 1), ("maxReplicas", 4), ("metricThreshold", 8)]
        spec.append(Entry("replicas", Scalar("2", "2", 2), removed=True))
        auto = [Entry(k, Scalar(str(v), str(v), v)) for k, v in scaling]
        auto.insert(2, Entry("metric", s("num_requests_running")))
        spec.append(Entry("autoscaling", draw(mapping(plan, auto))))
    metadata = draw(mapping(plan, [Entry("name", name), Entry("projectId", project)]))
    return Mapping([Entry("metadata", metadata), Entry("spec", draw(mapping(plan, spec, False)))])


class Case(NamedTuple):
    """A broken file and what --fix must make of it."""

    before: str
    after: str
    name: str
    intended: list  # the data of each document after the fix


@st.composite
def cases(draw, unsafe: bool) -> Case:
    as_json = draw(st.booleans()) if not unsafe else draw(st.sampled_from([False, False, True]))
    plan = Plan(unsafe, as_json)
    docs = [draw(nim_body(plan)) for _ in range(1 if as_json else draw(st.integers(1, 2)))]
    style = Style(
        json=as_json,
        indent_json=draw(st.booleans()),
        newline=draw(st.sampled_from(["\n", "\r\n", "\r"])),
        bom=draw(st.booleans()),
        final_newline=draw(st.booleans()),
    )
    name = "spec.json" if as_json else "spec.yaml"
    return Case(
        render(docs, style, False), render(docs, style, True), name, [data(d, True) for d in docs]
    )


# --- the properties -------------------------------------------------------------------------


def _datas(text: str, is_json: bool) -> list:
    out = []
    for doc in parse(text.removeprefix("\ufeff"), is_json=is_json):
        if isinstance(doc, ParseFailure):  # only P013: a U+2028 in a comment is reported
            assert doc.rule == "P013", doc
            continue
        out.append(doc.data)
    return out


def _errors(findings: list) -> Counter:
    return Counter(f.rule for f in findings if f.severity >= Severity.ERROR)


def check_in_process(case: Case, unsafe: bool) -> None:
    is_json = case.name.endswith(".json")
    assert _datas(case.after, is_json) == case.intended  # the generator's own check
    linter = Linter(Options(fix="unsafe" if unsafe else "safe"))
    raw = case.before.encode("utf-8")
    found = linter.lint_bytes(raw, case.name, ROOT)
    result = linter.fix_bytes(raw, case.name, ROOT, case.name)
    # Exactly the expected text: the intended data, nothing else changed, comments kept
    # (but unused suppressions), suppressed defects untouched.
    assert result.encoded().decode("utf-8") == case.after
    # No fixable finding left, no new error.
    assert not [f for f in result.findings if wanted(f.fix, unsafe)]
    assert not _errors(result.findings) - _errors(found)
    # A second --fix changes nothing.
    assert not linter.fix_bytes(result.encoded(), case.name, ROOT, case.name).changed


@settings(max_examples=examples(40), **SETTINGS)
@given(cases(unsafe=False))
def test_safe_fix_in_every_style(case: Case) -> None:
    check_in_process(case, unsafe=False)


@settings(max_examples=examples(25), **SETTINGS)
@given(cases(unsafe=True))
def test_unsafe_fix_in_every_style(case: Case) -> None:
    check_in_process(case, unsafe=True)


def _run(args: list[str], folder: Path, stdin: bytes = b"") -> tuple[int, bytes, str]:
    result = CliRunner().invoke(
        cli, args, input=stdin, catch_exceptions=False, env={"NO_COLOR": "1"}
    )
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
@settings(max_examples=examples(12), **SETTINGS)
@given(cases(unsafe=False))
def test_cli_fix_diff_and_stdin_agree(case: Case) -> None:
    raw, expected, name = case.before.encode("utf-8"), case.after.encode("utf-8"), case.name
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for sub in ("fixed", "patched"):
            (work / sub).mkdir()
            (work / sub / name).write_bytes(raw)
        with _chdir(work / "fixed"):
            code, _, _ = _run(["check", "--fix", name], work)
        assert code in (0, 1)
        assert (work / "fixed" / name).read_bytes() == expected
        with _chdir(work / "patched"):
            code, diff, _ = _run(["check", "--diff", name], work)
        assert code == (1 if expected != raw else 0)
        done = subprocess.run(
            ["patch", "-s", "-p0"],
            cwd=work / "patched",
            input=diff,
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert (work / "patched" / name).read_bytes() == expected
    for named in ([], ["--stdin-filename", name]):
        code, out, _ = _run(["check", "--fix", *named, "-"], ROOT, stdin=raw)
        if named or not name.endswith(".json"):  # without a name, standard input is read as YAML
            assert out == expected
        assert code in (0, 1)


class _chdir:
    def __init__(self, path: Path):
        self.path, self.old = path, Path.cwd()

    def __enter__(self):
        import os

        os.chdir(self.path)

    def __exit__(self, *exc):
        import os

        os.chdir(self.old)


# --- what the fixing pipeline itself owes (issue 20 items 4, 6, 7) ----------------------------

HEAD = 'metadata:\n  name: llama\n  projectId: "4501"\nspec:\n  image: nvcr.io/nim/x:1\n'


def _fix_once(text: str) -> tuple[str, list]:
    linter = Linter(Options(fix="safe"))
    result = linter.fix_bytes(text.encode(), "spec.yaml", ROOT, "spec.yaml")
    return result.text, result.findings


def test_a_fix_never_removes_a_suppression_still_in_use() -> None:
    secrets = "\n    - name: a\n    - name: a"  # the line the fix removes holds the directive
    text = f"{HEAD}  imagePullSecrets: {secrets}  # nimlint: disable-next-line=S002\n"
    fixed, _ = _fix_once(text + "  imagePullPolicy: always\n")
    assert "imagePullPolicy: always\n" in fixed  # still suppressed, not fixed
    assert "disable-next-line=S002" in fixed


def test_findings_without_a_fix_do_not_starve_a_fixable_one() -> None:
    env = "".join(f"    - {{name: V{i}, value: !!int {i}}}\n" for i in range(120))
    text = f"{HEAD}  environmentVariables:\n{env}  imagePullPolicy: always\n"
    assert "imagePullPolicy: Always\n" in _fix_once(text)[0]


def test_one_run_fixes_a_thousand_fixable_values() -> None:
    env = "".join(f"    - {{name: V{i}, value: {i}}}\n" for i in range(1000))
    text, left = _fix_once(f"{HEAD}  environmentVariables:\n{env}")
    assert not [f for f in left if wanted(f.fix, False)]
    assert text.count('value: "') == 1000


def test_one_run_fixes_every_fixable_value_of_a_stream() -> None:
    doc = 'metadata: {name: a, projectId: 1}\nspec: {image: "a:1", imagePullPolicy: never}\n'
    _, left = _fix_once("---\n".join([doc] * 300))
    assert not [f for f in left if wanted(f.fix, False)]
