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
    """An ordered collection of rules; a third-party package exposes one as an entry point.

    A decorated rule's documentation (dedented docstring and examples) is built the first time
    the set is iterated: a run that imports the module only to call checks (see
    ``nimlint.checks.LazyCheck``) asks ``check_of`` and never pays for it.
    """

    def __init__(self, rules: Iterable[Rule] = ()):
        self._entries: list[Rule | Callable[[], Rule]] = []
        self._checks: dict[str, Check | None] = {}
        for rule in rules:
            self.add(rule)

    def __iter__(self) -> Iterator[Rule]:
        for index, entry in enumerate(self._entries):
            if not isinstance(entry, Rule):
                self._entries[index] = entry = entry()
            yield entry

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, rule: Rule) -> None:
        self._entries.append(rule)
        self._checks.setdefault(rule.id, rule.check)

    def check_of(self, rule_id: str) -> Check | None:
        """The check of rule ``rule_id`` (the first registered under that id), or None."""
        return self._checks.get(rule_id)

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
        level, kinds = Severity.parse(severity), frozenset(kinds)

        def register(check: Check) -> Check:
            def documented() -> Rule:
                return Rule(
                    id=rule_id,
                    name=name,
                    severity=level,
                    summary=summary,
                    rationale=inspect.cleandoc(check.__doc__ or ""),
                    bad=inspect.cleandoc(bad) + "\n",
                    good=inspect.cleandoc(good) + "\n",
                    kinds=kinds,
                    check=check,
                    origin=check.__module__,
                    fix=fix,
                )

            self._entries.append(documented)
            self._checks.setdefault(rule_id, check)
            return check

        return register
