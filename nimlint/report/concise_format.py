"""Concise text output: one aligned line per finding, grouped by file, then a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from nimlint.escaping import printable
from nimlint.findings import Finding
from nimlint.report import Report
from nimlint.report.text_format import BOLD, COLORS, DIM, by_file, closing, paint


def _lines(findings: Sequence[Finding], color: bool) -> list[str]:
    """One line per finding, aligned over all of ``findings``; a file header before each file."""
    line_w = max((len(str(f.line)) for f in findings), default=0)
    col_w = max((len(str(f.column)) for f in findings), default=0)
    sev_w = max((len(str(f.severity)) for f in findings), default=0)
    lines = []
    for file, group in by_file(findings).items():
        lines.append(paint(printable(file), BOLD, color))
        for f in group:
            sev = str(f.severity)
            severity = paint(sev, COLORS[f.severity], color) + " " * (sev_w - len(sev))
            rule = paint(f"[{f.rule}]", DIM, color)
            position = f"{f.line:>{line_w}}:{f.column:<{col_w}}"
            lines.append(f"  {position}  {severity}  {printable(f.message)}  {rule}")
        lines.append("")
    return lines


def render(report: Report, *, color: bool) -> str:
    """Render ``report`` one line per finding; ANSI colours only when ``color`` is true."""
    return "".join(line + "\n" for line in [*_lines(report.findings, color), *closing(report)])
