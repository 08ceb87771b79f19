"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding.

Escaping follows ``@actions/core`` (``escapeData``/``escapeProperty`` in ``command.ts``).
"""

from __future__ import annotations

from nimlint.findings import Severity
from nimlint.report import Report

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message: ``%``, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as data, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, *, color: bool) -> str:
    """Render ``report`` as workflow commands; empty when there is none (``color`` is ignored)."""
    lines = []
    for f in report.findings:
        properties = {
            "file": f.file,
            "line": f.line,
            "col": f.column,
            "endLine": f.end_line,
            "endColumn": f.end_column,
            "title": f.rule,
        }
        joined = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items())
        lines.append(f"::{_COMMANDS[f.severity]} {joined}::{escape_data(f.message)}\n")
    if report.omitted:
        lines.append(f"::warning title=nimlint::{escape_data(report.omitted_note())}\n")
    return "".join(lines)
