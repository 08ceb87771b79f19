"""JSON output: one object, the public contract described by ``schemas/report.schema.json``."""

from __future__ import annotations

import json

from nimlint.findings import Severity
from nimlint.report import Report


def render(report: Report, *, color: bool) -> str:
    """Render ``report`` as one JSON object (``color`` is ignored)."""
    document = {
        "version": report.version,
        "findings": [
            {
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
            for f in report.findings
        ],
        "summary": {
            "files": len(report.files),
            "findings": len(report.findings),
            "error": report.count(Severity.ERROR),
            "warning": report.count(Severity.WARNING),
            "info": report.count(Severity.INFO),
        },
    }
    return json.dumps(document, indent=2) + "\n"
