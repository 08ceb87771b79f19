"""What a lint run reports: severities, spans and findings.

The records are NamedTuples: immutable like frozen dataclasses, but a dataclass decorator costs
about a millisecond of start-up each (see benchmarks/startup.py). Copy with ``_replace``.
"""

from __future__ import annotations

import enum
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


class Problem(NamedTuple):
    """What a check yields: a JSON pointer and a message; the engine adds the rest.

    ``at`` chooses where the finding is placed: the ``value`` at the pointer, or its
    ``key`` (used for unknown keys, duplicate keys and missing properties).
    """

    pointer: str
    message: str
    at: str = "value"


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

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule, self.message)
