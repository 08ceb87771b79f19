"""Python rules: generator functions registered into a RuleSet by a decorator.

RULES = RuleSet()

@RULES.rule("X001", name="no-foo", severity="warning", summary="...", bad=..., good=...)
def no_foo(ctx):
    '''Rationale, in Markdown: why, and the source that says so.'''
    if ctx.get("/spec/foo") is not MISSING:
        yield Problem("/spec/foo", "foo is deprecated")
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator

from nimlint.engine.model import FIX_APPLICABILITY, KINDS, Check, Rule
from nimlint.findings import Severity


class RuleSet:
    """An ordered collection of rules; a third-party package exposes one as an entry point."""

    def __init__(self, rules: Iterable[Rule] = ()):
        self._rules: list[Rule] = list(rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def add(self, rule: Rule) -> None:
        self._rules.append(rule)

    def rule(
        self,
        rule_id: str,
        *,
        name: str,
        severity: str,
        summary: str,
        bad: str,
        good: str,
        kinds: Iterable[str] = KINDS,
        fix: str = "none",
    ) -> Callable[[Check], Check]:
        """Register the decorated generator function as rule ``rule_id``.

        ``fix`` (safe or unsafe) declares that its Problems may carry a Repair.
        """

        if fix not in FIX_APPLICABILITY:
            raise ValueError(f"rule {rule_id}: fix must be one of {', '.join(FIX_APPLICABILITY)}")

        def register(check: Check) -> Check:
            self.add(
                Rule(
                    id=rule_id,
                    name=name,
                    severity=Severity.parse(severity),
                    summary=summary,
                    rationale=inspect.cleandoc(check.__doc__ or ""),
                    bad=inspect.cleandoc(bad) + "\n",
                    good=inspect.cleandoc(good) + "\n",
                    kinds=frozenset(kinds),
                    check=check,
                    origin=check.__module__,
                    fix=fix,
                )
            )
            return check

        return register
