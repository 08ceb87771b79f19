"""Bounded findings: at most MAX_PER_FILE findings of a file and MAX_PER_RUN of a run are kept.

The rest are counted (by rule, severity and file), never held: a 32 MiB file of one-character
mistakes made 11 million findings and 3 GB. Reports say how many more there were, and the
exit code counts them (``findings.fails`` accepts an ``Omitted`` as it accepts a Finding).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from nimlint.findings import Finding, Severity

MAX_PER_FILE = 1_000
MAX_PER_RUN = 10_000


class Omitted(NamedTuple):
    """What is kept of a finding past a cap: enough to count it and to fail the run."""

    rule: str
    severity: Severity
    file: str


class Cap:
    """Keeps at most ``limit`` findings and counts the others in ``omitted``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = 0
        self.omitted: Counter[Omitted] = Counter()

    def first(self, findings: Iterable[Finding]) -> list[Finding]:
        """The first ``limit`` of ``findings`` in file order, sorted; never more than twice
        ``limit`` of them in memory."""
        kept: list[Finding] = []
        for finding in findings:
            kept.append(finding)
            if len(kept) >= 2 * self.limit:
                self._trim(kept)
        self._trim(kept)
        self.kept += len(kept)
        return kept

    def take(self, findings: list[Finding]) -> list[Finding]:
        """As many of ``findings`` (in order) as the room left allows."""
        room = max(self.limit - self.kept, 0)
        self._count(findings[room:])
        kept = findings[:room]
        self.kept += len(kept)
        return kept

    def _trim(self, kept: list[Finding]) -> None:
        kept.sort(key=Finding.sort_key)
        self._count(kept[self.limit :])
        del kept[self.limit :]

    def _count(self, findings: Iterable[Finding]) -> None:
        self.omitted.update(Omitted(f.rule, f.severity, f.file) for f in findings)


def note(omitted: Counter[Omitted]) -> str:
    """``12,000 more findings not reported (...)``, or "" when none was left out."""
    count = sum(omitted.values())
    if not count:
        return ""
    words = "finding" if count == 1 else "findings"
    return (
        f"{count:,} more {words} not reported "
        f"(at most {MAX_PER_FILE:,} per file and {MAX_PER_RUN:,} per run are)"
    )
