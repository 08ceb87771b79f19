"""``--statistics``: one line per rule that fired, as ruff prints them: count, id, name."""

from __future__ import annotations

from collections import Counter

from nimlint.escaping import printable
from nimlint.report import Report
from nimlint.report.text_format import BOLD, closing, paint


def render_statistics(report: Report, *, color: bool) -> str:
    """Lines of ``COUNT<TAB>ID<TAB>NAME``, most frequent first, then the summary."""
    counts = Counter(f.rule for f in report.findings)
    width = len(str(max(counts.values(), default=0)))
    lines = [
        f"{count:>{width}}\t{paint(printable(rule), BOLD, color)}\t{printable(_name(report, rule))}"
        for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return "".join(line + "\n" for line in [*lines, *closing(report)])


def _name(report: Report, rule_id: str) -> str:
    rule = report.rules.get(rule_id)
    return rule.name if rule else ""
