"""Text output for people: findings grouped by file, aligned, then a summary line."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nimlint.findings import Finding, Severity
from nimlint.report import Report

_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[34m"}
_PLURALS = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Escape control characters (newlines, ESC...) so one finding stays one clean line."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _lines(findings: Sequence[Finding], color: bool) -> list[str]:
    """One line per finding, aligned over all of ``findings``; a file header before each file."""
    line_w = max((len(str(f.line)) for f in findings), default=0)
    col_w = max((len(str(f.column)) for f in findings), default=0)
    sev_w = max((len(str(f.severity)) for f in findings), default=0)
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    lines = []
    for file, group in by_file.items():
        lines.append(_paint(printable(file), _BOLD, color))
        for f in group:
            sev = str(f.severity)
            severity = _paint(sev, _COLORS[f.severity], color) + " " * (sev_w - len(sev))
            rule = _paint(f"[{f.rule}]", _DIM, color)
            position = f"{f.line:>{line_w}}:{f.column:<{col_w}}"
            lines.append(f"  {position}  {severity}  {printable(f.message)}  {rule}")
        lines.append("")
    return lines


def _summary(report: Report) -> str:
    files = _plural(len(report.files), "file", "files")
    if not report.findings:
        return f"All checks passed: {files}."
    counts = ", ".join(
        _plural(n, str(severity), _PLURALS[severity])
        for severity in sorted(Severity, reverse=True)
        if (n := report.count(severity))
    )
    problems = _plural(len(report.findings), "problem", "problems")
    failing = len({f.file for f in report.findings})
    return f"Found {problems} ({counts}) in {failing} of {files}."


def render(report: Report, *, color: bool) -> str:
    """Render ``report`` for a terminal; ANSI colours only when ``color`` is true."""
    return "\n".join([*_lines(report.findings, color), _summary(report)]) + "\n"
