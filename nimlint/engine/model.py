"""The one rule object that Python and declarative rules both become."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from nimlint.findings import Problem, Severity
from nimlint.schema.kinds import KINDS as KINDS  # the document kinds, defined with detection

if TYPE_CHECKING:
    from nimlint.engine.context import Context

FIX_APPLICABILITY = ("safe", "unsafe", "none")

Check = Callable[["Context"], Iterable[Problem]]


class Rule(NamedTuple):
    """A rule: identity, documentation, and (for semantic rules) its check.

    Rules reported by the loader or the schema layer have ``check=None`` and say so in
    ``reported_by``: they exist here so that they can be listed, documented, selected and
    re-graded like any other. ``fix`` says whether the rule's findings carry a fix and how
    safe it is: ``safe`` keeps the meaning the author intended, ``unsafe`` changes what the
    service does, ``none`` means no fix (a repair such a rule proposes is dropped).
    """

    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    bad: str
    good: str
    kinds: frozenset[str] = frozenset(KINDS)
    check: Check | None = None
    origin: str = "builtin"
    reported_by: str = "rules"
    fix: str = "none"
