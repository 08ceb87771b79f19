"""Python rules: environment."""

from __future__ import annotations

from nimlint.engine.python_rules import RuleSet

RULES = RuleSet()
