"""JSON output: one object, the public contract described by ``schemas/report.schema.json``."""

from __future__ import annotations

from nimlint.findings import Finding, Fix, Severity
from nimlint.report import Report
from nimlint.report.json_text import dumps


def render(report: Report, *, color: bool) -> str:
    """Render ``report`` as one JSON object (``color`` is ignored)."""
    document = {
        "version": report.version,
        "findings": [_finding(f) for f in report.findings],
        "summary": {
            "files": len(report.files),
            "findings": len(report.findings),
            "error": report.count(Severity.ERROR),
            "warning": report.count(Severity.WARNING),
            "info": report.count(Severity.INFO),
            "skipped": len(report.skipped),
            "rules": _rule_counts(report),
            "omitted": sum(report.omitted.values()),
        },
        "documents": [
            {"file": file, "index": d.index, "kind": d.kind, "kindFrom": d.how}
            for file in report.files
            for d in report.kinds.get(file, ())
        ],
    }
    return dumps(document) + "\n"


def _rule_counts(report: Report) -> dict[str, int]:
    """How many findings each rule that fired has (what ``--statistics`` prints), by id."""
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    return dict(sorted(counts.items()))


def _finding(f: Finding) -> dict:
    entry = {
        "rule": f.rule,
        "severity": str(f.severity),
        "message": f.message,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "endLine": f.end_line,
        "endColumn": f.end_column,
        "pointer": f.pointer,
    }
    if f.fix is not None:
        entry["fix"] = _fix(f.fix)
    return entry


def _fix(fix: Fix) -> dict:
    return {
        "applicability": fix.applicability,
        "message": fix.message,
        "edits": [
            {
                "line": edit.span.line,
                "column": edit.span.column,
                "endLine": edit.span.end_line,
                "endColumn": edit.span.end_column,
                "content": edit.content,
            }
            for edit in fix.edits
        ],
    }
