"""Python rules: metadata."""

from __future__ import annotations

from nimlint.engine.python_rules import RuleSet

RULES = RuleSet()
