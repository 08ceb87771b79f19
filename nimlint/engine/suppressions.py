"""Inline suppressions in YAML comments.

    key: value  # nimlint: disable=S004,G001   (this line; bare `disable` = every rule)
    # nimlint: disable-next-line=S008           (the next line)
    # nimlint: disable-file=T003                (the whole file)

A rule id also matches by prefix (``disable=G`` silences every G rule); text after the ids
is a free comment. Each directive remembers what it silenced, so the unused ones can be
reported.
"""

from __future__ import annotations

import re

from nimlint.findings import Finding, Span

_DIRECTIVE = re.compile(
    r"(?:^|\s)#\s*nimlint:\s*(disable-next-line|disable-file|disable)\b"
    r"(?:\s*=\s*([A-Z][A-Z0-9]*(?:\s*,\s*[A-Z][A-Z0-9]*)*))?"
)


class Directive:
    """One suppression comment: where it is, what it covers, what it silenced."""

    __slots__ = ("rules", "scope", "span", "used")

    def __init__(self, span: Span, scope: str, rules: tuple[str, ...]):
        self.span = span
        self.scope = scope  # "line", "next-line" or "file"
        self.rules = rules  # empty: every rule
        self.used: set[str] = set()

    def covers(self, finding: Finding) -> bool:
        if self.scope == "line" and finding.line != self.span.line:
            return False
        if self.scope == "next-line" and finding.line != self.span.line + 1:
            return False
        if not self.rules:
            self.used.add("")
            return True
        matched = [r for r in self.rules if finding.rule.startswith(r)]
        self.used.update(matched)
        return bool(matched)

    def unused(self) -> list[str]:
        if not self.rules:
            return [] if self.used else ["every rule"]
        return [r for r in self.rules if r not in self.used]


def parse_directives(text: str) -> list[Directive]:
    """Every suppression comment in ``text``."""
    if "nimlint:" not in text:
        return []
    directives = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "nimlint:" not in line:
            continue
        match = _DIRECTIVE.search(line)
        if match is None:
            continue
        column = line.index("#", match.start()) + 1
        scope = {"disable": "line", "disable-next-line": "next-line"}.get(match[1], "file")
        rules = tuple(r for r in re.split(r"[\s,]+", match[2] or "") if r)
        directives.append(Directive(Span(number, column, number, len(line) + 1), scope, rules))
    return directives


def apply(findings: list[Finding], directives: list[Directive]) -> list[Finding]:
    """The findings no directive covers (every directive sees every finding, to track use)."""
    kept = []
    for finding in findings:
        covered = [d.covers(finding) for d in directives]
        if not any(covered):
            kept.append(finding)
    return kept
