"""What a lint run reports: severities, spans and findings.

The records are NamedTuples: immutable like frozen dataclasses, but a dataclass decorator costs
about a millisecond of start-up each (see benchmarks/startup.py). Copy with ``_replace``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import NamedTuple


class Severity(enum.IntEnum):
    """Finding severity; a higher value is more severe."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Return the severity named ``text`` (error, warning or info)."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


class Span(NamedTuple):
    """A 1-based region of text: start line/column and end line/column (end exclusive)."""

    line: int
    column: int
    end_line: int
    end_column: int


class Repair(NamedTuple):
    """A rule's proposed fix, in terms of the data: the engine turns it into text edits.

    ``op`` is ``quote`` (make the scalar at ``pointer`` the string of its source text),
    ``replace`` (the string ``value``), ``rename`` (the key at ``pointer`` to ``value``)
    or ``remove`` (the mapping entry or list item at ``pointer``); ``edit`` is no change to
    the data but the text ``edits`` (an unused suppression comment removed). ``safe`` false
    makes the fix of a rule that declares safe fixes unsafe (see engine.fix_safety).
    """

    op: str
    pointer: str
    message: str
    value: str = ""
    safe: bool = True
    edits: tuple[Edit, ...] = ()


class Problem(NamedTuple):
    """What a check yields: a JSON pointer and a message; the engine adds the rest.

    ``at`` chooses where the finding is placed: the ``value`` at the pointer, or its
    ``key`` (used for unknown keys, duplicate keys and missing properties). ``repair``
    is the fix a rule that declares one proposes (see Rule.fix). ``compliance`` is
    (field, details, rule kind) of a policy compliance issue as the Run:ai server reports it
    (policy rules only).
    """

    pointer: str
    message: str
    at: str = "value"
    repair: Repair | None = None
    compliance: tuple[str, ...] = ()


class Edit(NamedTuple):
    """Replace the original text from ``start`` to ``end`` (character offsets) by ``content``.

    ``span`` is the same region as 1-based lines and columns, for reports.
    """

    start: int
    end: int
    content: str
    span: Span


class Fix(NamedTuple):
    """A finding's fix: ``safe`` keeps what the author meant; ``unsafe`` changes behaviour."""

    applicability: str
    message: str
    edits: tuple[Edit, ...]


class Related(NamedTuple):
    """Another place a finding names: where a value it is about came from."""

    file: str
    line: int
    note: str  # what is there, as the finding's message says it


class Finding(NamedTuple):
    """One reported problem, fully placed."""

    rule: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    pointer: str
    fix: Fix | None = None
    document: int = 0  # 0-based index of the document in its YAML stream
    compliance: tuple[str, ...] = ()  # policy rules: (field, details, kind), --format runai
    related: tuple[Related, ...] = ()  # values from other files (a base, a policy default)
    repair: Repair | None = None  # what the rule proposes; ``fix`` is it as checked text edits

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule, self.message)


def fails(finding: Finding, fail_on: Mapping[str, Severity]) -> bool:
    """Does ``finding`` fail the run: at or above its own file's ``fail-on`` (error when not
    given), or a rule that crashed (X002), which no fail-on lets pass."""
    return finding.rule == "X002" or finding.severity >= fail_on.get(finding.file, Severity.ERROR)


class Placed(NamedTuple):
    """A problem placed in the file the user edits: where, what, and what can repair it."""

    rule: str
    span: Span | None  # None: the top of the file
    message: str
    pointer: str = ""  # in the document as written
    repair: Repair | None = None
    document: int = 0
    compliance: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()  # the other files a value came from


class DocumentKind(NamedTuple):
    """The kind a document of a file was linted as, and how it was chosen."""

    index: int  # 0-based position in the file's stream
    kind: str
    how: str  # "detected", "config" (kinds:) or "option" (--kind)
