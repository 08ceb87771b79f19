"""The six report formats: golden files, schemas, escaping and well-formedness."""

from __future__ import annotations

import difflib
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, unquote

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nimlint.engine.model import Rule
from nimlint.escaping import printable
from nimlint.findings import DocumentKind, Edit, Finding, Fix, Severity, Span
from nimlint.report import Report, render
from nimlint.report.github_format import escape_data, escape_property
from nimlint.report.sarif_format import artifact_location

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "fixtures" / "report"
REPORT_SCHEMA = ROOT / "schemas" / "report.schema.json"
SARIF_SCHEMA = ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"


def _rule(id: str, name: str, severity: Severity, summary: str, rationale: str) -> Rule:
    return Rule(id, name, severity, summary, rationale, bad="", good="")


RULES = {
    r.id: r
    for r in (
        _rule(
            "S001",
            "schema-type",
            Severity.ERROR,
            "A value must have the type the API expects.",
            "The Run:ai API rejects the whole request when one value has the wrong type.",
        ),
        _rule(
            "N101",
            "image-tag-pinned",
            Severity.WARNING,
            "Pin the NIM image to a version tag.",
            "A moving tag such as latest can change the model served after a restart.",
        ),
        _rule(
            "N204",
            "gpu-fraction",
            Severity.INFO,
            "Fractional GPU requests share a device.",
            "A fraction of a GPU shares memory and compute with other workloads, "
            "so throughput varies.",
        ),
        _rule("P001", "duplicate-key", Severity.ERROR, "Keys must be unique.", "It never fires."),
    )
}
LLAMA, EMBED, CLEAN = "specs/llama-3-8b.yaml", "specs/embed qa.yaml", "specs/clean.yaml"
FINDINGS = (
    Finding(
        "S001",
        Severity.ERROR,
        'gpuDevicesRequest must be an integer, not the string "1"',
        LLAMA,
        9,
        24,
        9,
        27,
        "/spec/compute/gpuDevicesRequest",
    ),
    Finding(
        "N101",
        Severity.WARNING,
        'image tag "latest" is not pinned: the service may change on restart',
        LLAMA,
        12,
        10,
        12,
        52,
        "/spec/image",
    ),
    Finding(
        "N204",
        Severity.INFO,
        "gpuPortionRequest 0.5 shares the GPU: expect <100% throughput & variable latency",
        EMBED,
        7,
        5,
        8,
        1,
        "/spec/compute/gpuPortionRequest",
    ),
)
SOURCES = {
    LLAMA: {
        9: '    gpuDevicesRequest: "1"',
        12: "  image: nvcr.io/nim/meta/llama3-8b-instruct:latest",
    },
    EMBED: {7: "    gpuPortionRequest: 0.5"},
}
SCENARIOS = {
    "problems": Report(
        FINDINGS,
        (LLAMA, EMBED, CLEAN),
        RULES,
        "1.2.3",
        kinds={
            LLAMA: [DocumentKind(0, "create", "detected")],
            EMBED: [DocumentKind(0, "update", "config")],
            CLEAN: [DocumentKind(0, "create", "detected"), DocumentKind(1, "update", "detected")],
        },
        skipped=("charts/values.yaml",),
        sources=SOURCES,
    ),
    "clean": Report((), (LLAMA, EMBED, CLEAN), RULES, "1.2.3"),
}
GOLDEN_FILES = {
    "text.txt": ("text", False),
    "text-color.txt": ("text", True),
    "concise.txt": ("concise", False),
    "concise-color.txt": ("concise", True),
    "json.json": ("json", False),
    "gcc.txt": ("gcc", False),
    "sarif.json": ("sarif", False),
    "github.txt": ("github", False),
    "junit.xml": ("junit", False),
    "gitlab.json": ("gitlab", False),
}
SEVERITIES = st.sampled_from(list(Severity))


def _report(message: str, file: str = "a.yaml", severity: Severity = Severity.ERROR) -> Report:
    """A report of one finding with ``message`` in ``file``."""
    finding = FINDINGS[0]._replace(message=message, file=file, severity=severity)
    return Report((finding,), (file,), RULES, "1.2.3")


@pytest.mark.parametrize(
    ("scenario", "name"),
    [
        (s, n)
        for s in SCENARIOS
        for n in GOLDEN_FILES
        if (s, n) not in (("clean", "text-color.txt"), ("clean", "concise-color.txt"))
    ],
)
def test_output_matches_golden_file(scenario: str, name: str) -> None:
    fmt, color = GOLDEN_FILES[name]
    expected_path = GOLDEN / scenario / name
    actual = render(SCENARIOS[scenario], fmt, color=color)
    expected = expected_path.read_bytes().decode("utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            str(expected_path),
            "actual",
        )
    )
    assert actual == expected, f"output differs from the reviewed golden file:\n{diff}"


@pytest.mark.parametrize("fmt", sorted({fmt for fmt, _ in GOLDEN_FILES.values()}))
def test_output_ends_with_newline_or_is_empty(fmt: str) -> None:
    for report in SCENARIOS.values():
        output = render(report, fmt)
        assert output == "" or output.endswith("\n")


# json


def _walk_schemas(schema: dict) -> list[dict]:
    """``schema`` and every subschema under properties, items and $defs."""
    found = [schema]
    children = [*schema.get("properties", {}).values(), *schema.get("$defs", {}).values()]
    if "items" in schema:
        children.append(schema["items"])
    for child in children:
        found += _walk_schemas(child)
    return found


def test_report_schema_is_strict_and_documented() -> None:
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for sub in _walk_schemas(schema):
        assert sub.get("description"), sub
        if sub.get("type") == "object":
            assert sub.get("additionalProperties") is False, sub
            optional = {"fix"}  # a finding carries a fix only when it has one
            assert sorted(sub["required"]) == sorted(set(sub["properties"]) - optional), sub


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_json_output_validates_against_report_schema(scenario: str) -> None:
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(json.loads(render(SCENARIOS[scenario], "json")))


def test_json_schema_rejects_an_unknown_field() -> None:
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    document = json.loads(render(SCENARIOS["problems"], "json"))
    document["findings"][0]["fix"] = "?"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


# sarif


def _sarif_validator() -> jsonschema.Draft4Validator:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the OASIS SARIF 2.1.0 schema is not at {SARIF_SCHEMA}")
    return jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


ODD_PATHS = Report(
    (
        FINDINGS[0]._replace(file="dir with space/ünï%#?.yaml"),
        FINDINGS[1]._replace(file="/nowhere/abs.yaml"),
    ),
    ("dir with space/ünï%#?.yaml", "/nowhere/abs.yaml"),
    RULES,
    "1.2.3",
)


@pytest.mark.parametrize("report", [*SCENARIOS.values(), ODD_PATHS], ids=[*SCENARIOS, "odd"])
def test_sarif_output_validates_against_oasis_schema(report: Report) -> None:
    validator = _sarif_validator()
    log = json.loads(render(report, "sarif"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert not errors


def test_sarif_rules_are_those_that_fired_sorted_and_indexed() -> None:
    run = json.loads(render(SCENARIOS["problems"], "sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["N101", "N204", "S001"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_relative_uri_is_percent_encoded_with_forward_slashes() -> None:
    location = artifact_location("dir with space/ünï%#?.yaml")
    assert location == {
        "uri": "dir%20with%20space/%C3%BCn%C3%AF%25%23%3F.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert unquote(location["uri"]) == "dir with space/ünï%#?.yaml"


@given(
    st.lists(st.sampled_from(["a", "b c", "..", ".", "", "ü%#?", "x\\y"]), min_size=1, max_size=4)
)
def test_sarif_relative_uri_is_the_one_of_the_path_as_pathlib_writes_it(parts) -> None:
    file = "/".join(parts)
    if not file or file.startswith("/"):
        return
    expected = quote(os.fsencode(Path(file).as_posix()), safe="/")
    assert artifact_location(file) == {"uri": expected, "uriBaseId": "%SRCROOT%"}


def test_sarif_absolute_path_under_cwd_is_made_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    location = artifact_location(str(tmp_path / "specs" / "a b.yaml"))
    assert location == {"uri": "specs/a%20b.yaml", "uriBaseId": "%SRCROOT%"}


def test_sarif_absolute_path_elsewhere_is_a_file_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path.parent / "other dir" / "x.yaml"
    assert artifact_location(str(elsewhere)) == {"uri": elsewhere.as_uri()}
    assert elsewhere.as_uri().startswith("file:///")


def _result_object(f: Finding, index: dict[str, int]) -> dict:
    """A SARIF result as an object, the structure sarif_format writes from a template."""
    location = artifact_location(f.file)

    def region(line, column, end_line, end_column):
        return {
            "startLine": line,
            "startColumn": column,
            "endLine": end_line,
            "endColumn": end_column,
        }

    result = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}[
            f.severity
        ],
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": region(f.line, f.column, f.end_line, f.end_column),
                }
            }
        ],
    }
    if f.fix is not None:
        replacements = [
            {"deletedRegion": region(*e.span), "insertedContent": {"text": e.content}}
            for e in f.fix.edits
        ]
        result["fixes"] = [
            {
                "description": {"text": f"{f.fix.message} ({f.fix.applicability} fix)"},
                "artifactChanges": [{"artifactLocation": location, "replacements": replacements}],
            }
        ]
    return result


TEXT = st.text(max_size=12)  # every code point: controls, surrogates, astral planes
POSITIVE = st.integers(min_value=1, max_value=10**6)
EDITS = st.builds(
    Edit, st.just(0), st.just(0), TEXT, st.builds(Span, POSITIVE, POSITIVE, POSITIVE, POSITIVE)
)
FIXES = st.none() | st.builds(
    Fix, st.sampled_from(["safe", "unsafe"]), TEXT, st.lists(EDITS, max_size=3).map(tuple)
)
RESULTS = st.builds(
    Finding,
    st.sampled_from(sorted(RULES)),
    st.sampled_from(list(Severity)),
    TEXT,
    st.sampled_from([LLAMA, EMBED, "/nowhere/abs.yaml", "dir with space/ünï%#?.yaml", "a\tb"]),
    POSITIVE,
    POSITIVE,
    POSITIVE,
    POSITIVE,
    st.just(""),
    FIXES,
)


@given(st.lists(RESULTS, max_size=6))
def test_sarif_results_are_the_text_json_writes_for_their_objects(findings) -> None:
    """Results are written from a template: the same text json.dumps(indent=2) writes for the
    objects they stand for (fixes included)."""
    report = Report(tuple(findings), (LLAMA, EMBED), RULES, "1.0")
    text = render(report, "sarif")
    log = json.loads(text)
    assert text == json.dumps(log, indent=2) + "\n"
    index = {rule["id"]: i for i, rule in enumerate(log["runs"][0]["tool"]["driver"]["rules"])}
    expected = [_result_object(f, index) for f in _escaped_findings(report)]
    assert log["runs"][0]["results"] == expected


def _escaped_findings(report: Report) -> list[Finding]:
    """The findings as formats see them: printable text (report.render escapes first)."""
    from nimlint.report import _escaped

    return list(_escaped(report).findings)


# github

# ::command key=value,key=value::data, with properties free of , : CR LF and data free of CR LF.
WORKFLOW_COMMAND = re.compile(
    r"::(?P<command>error|warning|notice) (?P<properties>[^=,:\r\n]+=[^,:\r\n]*"
    r"(?:,[^=,:\r\n]+=[^,:\r\n]*)*)::(?P<data>[^\r\n]*)"
)
_UNESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}


def _unescape(text: str) -> str:
    return re.sub("%(?:25|0D|0A|3A|2C)", lambda m: _UNESCAPES[m[0]], text)


def _parse_github(output: str) -> list[tuple[str, dict[str, str], str]]:
    assert output.endswith("\n")
    commands = []
    for line in output[:-1].split("\n"):
        match = WORKFLOW_COMMAND.fullmatch(line)
        assert match, line
        pairs = (p.split("=", 1) for p in match["properties"].split(","))
        properties = {key: _unescape(value) for key, value in pairs}
        commands.append((match["command"], properties, _unescape(match["data"])))
    return commands


def test_github_escapes_like_actions_toolkit() -> None:
    assert escape_data("100%\r\nx: a,b") == "100%25%0D%0Ax: a,b"
    assert escape_property("100%\r\nx: a,b") == "100%25%0D%0Ax%3A a%2Cb"
    output = render(_report("50%: a,b\r\nnext", file="c:d,e%.yaml"), "github")
    assert output == (  # line breaks from outside are shown escaped, as in every format
        "::error file=c%3Ad%2Ce%25.yaml,line=9,col=24,endLine=9,endColumn=27,title=S001"
        "::50%25: a,b\\x0d\\x0anext\n"
    )


def test_github_commands_parse_back() -> None:
    commands = _parse_github(render(SCENARIOS["problems"], "github"))
    assert [c[0] for c in commands] == ["error", "warning", "notice"]
    for (_, properties, data), f in zip(commands, FINDINGS, strict=True):
        assert properties == {
            "file": f.file,
            "line": str(f.line),
            "col": str(f.column),
            "endLine": str(f.end_line),
            "endColumn": str(f.end_column),
            "title": f.rule,
        }
        assert data == f.message


@given(message=st.text(), file=st.text(min_size=1), severity=SEVERITIES)
def test_github_round_trips_any_text(message: str, file: str, severity: Severity) -> None:
    [(_, properties, data)] = _parse_github(render(_report(message, file, severity), "github"))
    assert (properties["file"], data) == (printable(file), printable(message))


# junit


def test_junit_counts_and_failures() -> None:
    root = ET.fromstring(render(SCENARIOS["problems"], "junit"))
    [suite] = root
    assert (root.tag, suite.tag) == ("testsuites", "testsuite")
    assert suite.attrib == {"name": "nimlint", "tests": "3", "failures": "1", "errors": "0"}
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert list(cases) == [LLAMA, EMBED, CLEAN]
    failures = cases[LLAMA].findall("failure")
    assert [(f.get("type"), f.get("message")) for f in failures] == [
        (FINDINGS[0].rule, FINDINGS[0].message)
    ]
    assert cases[LLAMA].findtext("system-out") == f"{LLAMA}:12:10 N101 {FINDINGS[1].message}"
    assert cases[EMBED].findall("failure") == []
    assert cases[EMBED].findtext("system-out") == f"{EMBED}:7:5 N204 {FINDINGS[2].message}"
    assert len(cases[CLEAN]) == 0


def test_junit_fails_a_file_from_fail_on_up() -> None:
    problems = SCENARIOS["problems"]
    report = problems._replace(fail_on=dict.fromkeys(problems.files, Severity.WARNING))
    suite = ET.fromstring(render(report, "junit")).find("testsuite")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert [f.get("type") for f in cases[LLAMA].findall("failure")] == ["S001", "N101"]
    assert cases[EMBED].findall("failure") == []


def test_junit_is_well_formed_with_markup_and_control_characters() -> None:
    output = render(_report("<&\"'>\x01\x1b\ud800 ok\ttab", file="a<b>&\x02.yaml"), "junit")
    assert output.startswith("<?xml ")
    case = ET.fromstring(output).find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "a<b>&\\x02.yaml"
    assert case.find("failure").get("message") == "<&\"'>\\x01\\x1b\\ud800 ok\\x09tab"


@given(message=st.text(), file=st.text(min_size=1), severity=SEVERITIES)
def test_junit_parses_for_any_text(message: str, file: str, severity: Severity) -> None:
    root = ET.fromstring(render(_report(message, file, severity), "junit"))
    expected_failures = "1" if severity == Severity.ERROR else "0"
    assert root.find("testsuite").get("failures") == expected_failures


# text and gcc


@pytest.mark.parametrize(
    ("findings", "files", "summary"),
    [
        (FINDINGS[:1], (LLAMA,), "Found 1 problem (1 error) in 1 of 1 file."),
        (FINDINGS[2:] * 2, (EMBED, CLEAN), "Found 2 problems (2 info) in 1 of 2 files."),
        (FINDINGS[1:2] * 2, (LLAMA,), "Found 2 problems (2 warnings) in 1 of 1 file."),
        ((), (CLEAN,), "All checks passed: 1 file."),
    ],
)
def test_text_summary_line(
    findings: tuple[Finding, ...], files: tuple[str, ...], summary: str
) -> None:
    report = Report(findings, files, RULES, "1.2.3")
    assert render(report, "concise").splitlines()[-1] == summary
    assert summary in render(report, "text").splitlines()


def test_summary_never_says_all_checks_passed_when_a_path_was_not_linted() -> None:
    report = Report((), (CLEAN,), RULES, "1.2.3", unlinted=2)
    expected = "No problems found in 1 file; 2 paths could not be linted (see the errors above)."
    for fmt in ("text", "concise"):
        assert render(report, fmt).splitlines() == [expected]


def test_text_names_the_rule_and_hints_once() -> None:
    output = render(SCENARIOS["problems"], "text")
    assert [line.split(":")[0] for line in output.splitlines() if "[" in line[:12]] == [
        "error[S001]",
        "warning[N101]",
        "info[N204]",
    ]
    assert output.count("nimlint rule") == 1
    assert "nimlint rule" not in render(SCENARIOS["problems"], "concise")


def test_quiet_drops_summary_and_hint() -> None:
    report = SCENARIOS["problems"]._replace(quiet=True)
    for fmt in ("text", "concise"):
        output = render(report, fmt)
        assert "Found" not in output and "nimlint rule" not in output
        assert "S001" in output
    assert render(SCENARIOS["clean"]._replace(quiet=True), "text") == ""


@pytest.mark.parametrize(
    ("line", "column", "end", "caret_line"),
    [
        ("  image: x", 10, 11, "  |          ^"),
        ("  image: 中文x", 10, 12, "  |          ^^^^"),  # wide characters take two columns
        ("\timage: \x1bx", 9, 11, "  |            ^^^^^"),  # escapes widen the line
        ("  image:", 9, 9, "  |         ^"),  # a span past the end still gets one caret
    ],
)
def test_caret_sits_under_the_span(line: str, column: int, end: int, caret_line: str) -> None:
    finding = FINDINGS[0]._replace(line=1, column=column, end_line=1, end_column=end)
    report = Report((finding,), (LLAMA,), RULES, "1.2.3", sources={LLAMA: {1: line}})
    lines = render(report, "text").splitlines()
    assert lines[4] == caret_line
    assert "\x1b" not in lines[3] and "\t" not in lines[3]


def test_long_source_line_is_clipped_around_the_span() -> None:
    line = '{"spec": {' + '"a": 1, ' * 5000 + '"replicas": -1}}'
    column = line.index("-1") + 1
    finding = FINDINGS[0]._replace(line=1, column=column, end_line=1, end_column=column + 2)
    report = Report((finding,), (LLAMA,), RULES, "1.2.3", sources={LLAMA: {1: line}})
    source, carets = render(report, "text").splitlines()[3:5]
    assert len(source) < 120 and "-1" in source
    assert source[carets.index("^") : carets.index("^") + 2] == "-1"


@pytest.mark.parametrize("fmt", ["text", "gcc"])
def test_no_escape_byte_or_stray_newline_without_color(fmt: str) -> None:
    output = render(_report("evil\x1b[31m\nnext", file="f\x1b.yaml"), fmt)
    assert "\x1b" not in output
    assert "evil\\x1b[31m\\x0anext" in output
    assert "f\\x1b.yaml" in output
