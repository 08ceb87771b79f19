"""SARIF 2.1.0 output, for GitHub code scanning and other static-analysis viewers."""

from __future__ import annotations

import os
from json.encoder import encode_basestring_ascii as _string
from pathlib import Path
from urllib.parse import quote

from nimlint import HOMEPAGE, rule_doc_url
from nimlint.findings import Finding, Fix, Severity
from nimlint.report import Report
from nimlint.report.json_text import Raw, dumps

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_location(file: str) -> dict[str, str]:
    """A SARIF ``artifactLocation`` for ``file``.

    Relative paths (and absolute ones under the working directory) become percent-encoded
    URI references relative to ``%SRCROOT%``; other absolute paths become ``file:`` URIs.
    """
    if os.sep == "/" and not file.startswith("/") and _as_pathlib_writes(file.split("/")):
        return {"uri": quote(os.fsencode(file), safe="/"), "uriBaseId": "%SRCROOT%"}
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return {"uri": path.as_uri()}
    return {"uri": quote(os.fsencode(path.as_posix()), safe="/"), "uriBaseId": "%SRCROOT%"}


def _as_pathlib_writes(parts: list[str]) -> bool:
    """Is a relative path of these parts already as pathlib writes it (no empty or "." part)?
    Then it needs no Path object: 2,000 files' findings are 2,000 Paths less."""
    return "" not in parts and "." not in parts


def render(report: Report, *, color: bool) -> str:
    """Render ``report`` as a SARIF log with one run (``color`` is ignored).

    A rule's ``id``, ``name``, ``shortDescription`` and ``fullDescription`` are its printable
    text (``report.render`` escapes rule metadata for every format; the full description keeps
    its newlines), then JSON-escaped, so a viewer that shows them raw shows no control
    character. The ``helpUri`` anchor is percent-encoded.
    """
    fired = sorted({f.rule for f in report.findings})
    index = {rule_id: i for i, rule_id in enumerate(fired)}
    descriptors = []
    for rule_id in fired:
        rule = report.rules[rule_id]
        descriptors.append(
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.rationale},
                "helpUri": rule_doc_url(quote(rule.id, safe="")),
                "defaultConfiguration": {"level": _LEVELS[rule.severity]},
            }
        )
    results = _results(report.findings, index)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "nimlint",
                        "version": report.version,
                        "informationUri": HOMEPAGE,
                        "rules": descriptors,
                    }
                },
                "invocations": [_invocation(report.errors, report.omitted_note())],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return dumps(log) + "\n"


def _invocation(errors, omitted: str) -> dict:
    """Whether the run went through; each error line (bad configuration, unreadable path:
    exit 2) a notification, so a SARIF file exists and says why even then; and how many
    findings the caps left out (``capping``), if any."""
    invocation: dict = {"executionSuccessful": not errors}
    notices = [{"level": "error", "message": {"text": error}} for error in errors]
    if omitted:
        notices.append({"level": "warning", "message": {"text": omitted}})
    if notices:
        invocation["toolExecutionNotifications"] = notices
    return invocation


# A result is four levels down the log (log > runs > run > results > result): the newline and
# indentation before each of its lines, as json_text.dumps writes them.
_AT = ["\n" + "  " * level for level in range(10)]


def _results(findings, index: dict[str, int]) -> Raw:
    """The run's ``results`` as JSON text, each result written from a template: the text
    json_text.dumps writes for its object (tests/test_report_formats.py holds them equal)
    without walking the six objects a result nests, one per finding."""
    if not findings:
        return Raw("[]")
    locations: dict[str, tuple[dict[str, str], str]] = {}  # one per file, not per finding
    texts = []
    for f in findings:
        location = locations.get(f.file)
        if location is None:
            found = artifact_location(f.file)
            location = locations[f.file] = (found, dumps(found, level=8))
        texts.append(_result(f, index[f.rule], *location))
    return Raw("[" + _AT[4] + ("," + _AT[4]).join(texts) + _AT[3] + "]")


def _result(f: Finding, rule_index: int, location: dict[str, str], location_text: str) -> str:
    n5, n6, n7, n8, n9 = _AT[5:10]
    text = (
        f'{{{n5}"ruleId": {_string(f.rule)},{n5}"ruleIndex": {rule_index},'
        f'{n5}"level": {_string(_LEVELS[f.severity])},'
        f'{n5}"message": {{{n6}"text": {_string(f.message)}{n5}}},'
        f'{n5}"locations": [{n6}{{{n7}"physicalLocation": {{'
        f'{n8}"artifactLocation": {location_text},'
        f'{n8}"region": {{{n9}"startLine": {f.line:d},{n9}"startColumn": {f.column:d},'
        f'{n9}"endLine": {f.end_line:d},{n9}"endColumn": {f.end_column:d}{n8}}}'
        f"{n7}}}{n6}}}{n5}]"
    )
    if f.fix is not None:
        text += f',{n5}"fixes": ' + dumps([_fix(f.fix, location)], level=5)
    return text + _AT[4] + "}"


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _fix(fix: Fix, location: dict[str, str]) -> dict:
    """A SARIF ``fix``: the edits as replacements in the finding's file."""
    replacements = [
        {
            "deletedRegion": _region(*edit.span),
            "insertedContent": {"text": edit.content},
        }
        for edit in fix.edits
    ]
    return {
        "description": {"text": f"{fix.message} ({fix.applicability} fix)"},
        "artifactChanges": [{"artifactLocation": location, "replacements": replacements}],
    }
