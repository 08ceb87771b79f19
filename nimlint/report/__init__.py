"""Reporting: one formatter per module, each a pure function of a Report."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from nimlint.capping import Omitted, note
from nimlint.engine.model import Rule
from nimlint.escaping import printable, printable_lines
from nimlint.findings import DocumentKind, Finding, Severity

FORMATS = ("text", "concise", "json", "gcc", "sarif", "github", "junit", "gitlab", "runai")


class Report(NamedTuple):
    """Everything a formatter may use: the findings, the files linted, the rules.

    ``sources`` holds, per file, the text of the lines that have findings (1-based);
    ``unlinted`` counts the paths that could not be linted (exit code 2); ``quiet`` asks
    for the findings alone, without summary or hints.
    ``kinds`` maps a file to the kind of each of its documents and how it was chosen;
    ``skipped`` lists the files found by walking that hold no NIM service body; ``errors``
    the run's error lines (printed on stderr; SARIF also carries them as notifications).
    ``omitted`` counts the findings past the caps (``capping``), which ``findings`` lacks.
    """

    findings: Sequence[Finding]
    files: Sequence[str]
    rules: Mapping[str, Rule]
    version: str
    policed: Sequence[tuple[str, int]] = ()  # (file, document index) linted under a policy
    fail_on: Mapping[str, Severity] = MappingProxyType({})  # each file's fail-on
    sources: Mapping[str, Mapping[int, str]] = MappingProxyType({})
    unlinted: int = 0
    quiet: bool = False
    kinds: Mapping[str, Sequence[DocumentKind]] = MappingProxyType({})
    skipped: Sequence[str] = ()
    errors: Sequence[str] = ()
    omitted: Mapping[Omitted, int] = MappingProxyType({})

    def omitted_note(self) -> str:
        """``N more findings not reported (...)``, or "" when no finding was left out."""
        return note(self.omitted)

    def detected_kinds(self, file: str) -> list[str]:
        """The kinds nimlint detected (not configured) for ``file``'s documents, each once."""
        found = [d.kind for d in self.kinds.get(file, ()) if d.how == "detected"]
        return list(dict.fromkeys(found))

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """Render ``report`` in format ``fmt`` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"nimlint.report.{fmt}_format")
    return module.render(_escaped(report), color=color)


_ONE_LINE_RULE_TEXT = ("id", "name", "summary", "origin", "reported_by", "fix")


def printable_rule(rule: Rule) -> Rule:
    """``rule`` with its text made printable: a rule file or a Python rule module is outside
    text like any other. One-line fields (id, name, summary...) keep no newline; the docs
    (rationale and examples) keep their newlines and nothing else unprintable."""
    one_line = {f: printable(str(getattr(rule, f))) for f in _ONE_LINE_RULE_TEXT}
    docs = {f: printable_lines(str(getattr(rule, f))) for f in ("rationale", "bad", "good")}
    return rule._replace(**one_line, **docs)


def _escaped(report: Report) -> Report:
    """``report`` with every outside text (file names wherever they key something, messages
    quoting keys and values, pointers, rule ids and metadata) made printable, the same way for
    every format, before any formatter sees it (tests/test_report_escaping.py): JSON and
    SARIF too hold the escaped text, so what reads them and prints a field is safe as well.
    Its ``rules`` are those with findings, the only ones a report describes."""
    findings = [f if _is_printable(f) else _printable_finding(f) for f in report.findings]
    fired = {f.rule for f in report.findings} & report.rules.keys()
    return report._replace(
        findings=findings,
        files=[printable(file) for file in report.files],
        rules={printable(rule): printable_rule(report.rules[rule]) for rule in fired},
        fail_on={printable(file): level for file, level in report.fail_on.items()},
        sources={printable(file): lines for file, lines in report.sources.items()},
        kinds={printable(file): kinds for file, kinds in report.kinds.items()},
        policed=[(printable(file), index) for file, index in report.policed],
        skipped=[printable(file) for file in report.skipped],
        errors=[printable(error) for error in report.errors],
        omitted=_escaped_omitted(report.omitted),
    )


def _is_printable(f: Finding) -> bool:
    """Is all of ``f``'s outside text printable already (nearly always: no copy to make)?"""
    return (
        f.message.isprintable()
        and f.file.isprintable()
        and f.pointer.isprintable()
        and f.rule.isprintable()
        and (f.fix is None or f.fix.message.isprintable())
    )


def _printable_finding(f: Finding) -> Finding:
    return f._replace(
        rule=printable(f.rule),
        message=printable(f.message),
        file=printable(f.file),
        pointer=printable(f.pointer),
        fix=f.fix and f.fix._replace(message=printable(f.fix.message)),
    )


def _escaped_omitted(omitted: Mapping[Omitted, int]) -> dict[Omitted, int]:
    """The counts past the caps, their rule ids and file names printable (reports print only
    the total today, but a field of outside text is escaped like every other)."""
    escaped: dict[Omitted, int] = {}
    for entry, count in omitted.items():
        key = entry._replace(rule=printable(entry.rule), file=printable(entry.file))
        escaped[key] = escaped.get(key, 0) + count
    return escaped
