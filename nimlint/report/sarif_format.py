"""SARIF 2.1.0 output, for GitHub code scanning and other static-analysis viewers."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from nimlint import HOMEPAGE, rule_doc_url
from nimlint.findings import Finding, Fix, Severity
from nimlint.report import Report
from nimlint.report.json_text import dumps

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_location(file: str) -> dict[str, str]:
    """A SARIF ``artifactLocation`` for ``file``.

    Relative paths (and absolute ones under the working directory) become percent-encoded
    URI references relative to ``%SRCROOT%``; other absolute paths become ``file:`` URIs.
    """
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return {"uri": path.as_uri()}
    return {"uri": quote(os.fsencode(path.as_posix()), safe="/"), "uriBaseId": "%SRCROOT%"}


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
    locations: dict[str, dict[str, str]] = {}  # one per file, not per finding
    results = []
    for f in report.findings:
        location = locations.get(f.file)
        if location is None:
            location = locations[f.file] = artifact_location(f.file)
        results.append(_result(f, index, location))
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


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _result(f: Finding, index: dict[str, int], location: dict[str, str]) -> dict:
    result = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": _LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": _region(f.line, f.column, f.end_line, f.end_column),
                }
            }
        ],
    }
    if f.fix is not None:
        result["fixes"] = [_fix(f.fix, location)]
    return result


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
