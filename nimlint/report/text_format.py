"""Text output for people: each finding with its source line and a caret under the span.

Like rustc and ruff's full output::

    error[S004]: spec.replicas must be at least 0; got -1
     --> deploy/llama.yaml:7:13
      |
    7 |   replicas: -1
      |             ^^
      |

Every piece of text that comes from a file (names, messages, source lines) goes through
``printable``, so no input can put a control character on the terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from nimlint.escaping import printable
from nimlint.findings import Finding, Severity
from nimlint.report import Report

BOLD, DIM, RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
GUTTER = "\x1b[1;34m"
COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[34m"}
_PLURALS = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}
EXCERPT_WIDTH = 100  # characters of a long line shown around the span
HINT = "For the documentation of a rule, run: nimlint rule ID (for example: {rule})"


def paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{RESET}" if color else text


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def by_file(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.file, []).append(finding)
    return grouped


def _summary(report: Report) -> str:
    files = _plural(len(report.files), "file", "files")
    unlinted = (
        f"; {_plural(report.unlinted, 'path', 'paths')} could not be linted (see the errors above)"
        if report.unlinted
        else ""
    )
    if not report.findings:
        if unlinted:
            return f"No problems found in {files}{unlinted}."
        return f"All checks passed: {files}."
    counts = ", ".join(
        _plural(n, str(severity), _PLURALS[severity])
        for severity in sorted(Severity, reverse=True)
        if (n := report.count(severity))
    )
    problems = _plural(len(report.findings), "problem", "problems")
    failing = len({f.file for f in report.findings})
    return f"Found {problems} ({counts}) in {failing} of {files}{unlinted}."


def _skipped(report: Report) -> str:
    if not report.skipped:
        return ""
    return f" {_plural(len(report.skipped), 'file', 'files')} skipped: not NIM service bodies."


def _omitted(report: Report) -> str:
    note = report.omitted_note()
    return f" {note}." if note else ""


def kind_note(report: Report, file: str, color: bool) -> list[str]:
    """A note naming the kinds nimlint detected for ``file`` (none when configured)."""
    kinds = report.detected_kinds(file)
    if not kinds:
        return []
    note = paint("= note:", BOLD, color)
    read_as = " and ".join(kinds)
    where = "see kinds: in docs/configuration.md"
    return [f"  {note} {printable(file)} read as {read_as} (detected; {where})"]


def closing(report: Report, *, hint: bool = False) -> list[str]:
    """The summary line, and (``hint``) the `nimlint rule` hint when there are findings."""
    if report.quiet:
        return []
    lines = [_summary(report) + _skipped(report) + _omitted(report)]
    if hint and report.findings:
        lines.append(HINT.format(rule=report.findings[0].rule))
    return lines


def _width(text: str) -> int:
    """Terminal columns of ``text`` (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _window(line: str, start: int, end: int) -> tuple[str, int, int]:
    """Clip a long line to EXCERPT_WIDTH characters around [start, end)."""
    if len(line) <= EXCERPT_WIDTH:
        return line, start, end
    left = max(0, min(start - EXCERPT_WIDTH // 3, len(line) - EXCERPT_WIDTH))
    right = left + EXCERPT_WIDTH
    head = "..." if left else ""
    tail = "..." if right < len(line) else ""
    shift = left - len(head)
    return head + line[left:right] + tail, start - shift, min(end, right) - shift


def _excerpt(f: Finding, source: str, color: bool) -> list[str]:
    """The source line of ``f`` and a caret line under its span (first line only)."""
    start = min(f.column - 1, len(source))
    end = f.end_column - 1 if f.end_line == f.line else len(source)
    end = max(start + 1, min(end, len(source)))
    text, start, end = _window(source, start, end)
    before, marked = printable(text[:start]), printable(text[start:end]) or " "
    number = str(f.line)
    bar = paint("|", GUTTER, color)
    carets = paint("^" * _width(marked), COLORS[f.severity], color)
    return [
        f"{paint(number, GUTTER, color)} {bar} {printable(text)}".rstrip(),
        f"{' ' * len(number)} {bar} {' ' * _width(before)}{carets}",
    ]


def _finding(f: Finding, sources: Mapping[int, str], color: bool) -> list[str]:
    severity = paint(f"{f.severity}[{f.rule}]", COLORS[f.severity] + BOLD, color)
    header = f"{severity}{paint(':', BOLD, color)} {paint(printable(f.message), BOLD, color)}"
    pad = " " * len(str(f.line))
    arrow = paint("-->", GUTTER, color)
    lines = [header, f"{pad}{arrow} {printable(f.file)}:{f.line}:{f.column}"]
    source = sources.get(f.line)
    if source is not None:
        bar = paint("|", GUTTER, color)
        lines += [f"{pad} {bar}", *_excerpt(f, source, color), f"{pad} {bar}"]
    return [*lines, ""]


def render(report: Report, *, color: bool) -> str:
    """Render ``report`` for a terminal; ANSI colours only when ``color`` is true."""
    lines: list[str] = []
    noted = set()
    for f in report.findings:
        block = _finding(f, report.sources.get(f.file, {}), color)
        if f.file not in noted:  # once per file, under its first finding
            noted.add(f.file)
            block[-1:-1] = kind_note(report, f.file, color)
        lines += block
    return "".join(line + "\n" for line in [*lines, *closing(report, hint=True)])
