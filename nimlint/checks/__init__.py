"""nimlint's own Python rules, one module per area."""

from __future__ import annotations

import importlib

from nimlint.engine.python_rules import RuleSet

MODULES = (
    "compute",
    "tolerations",
    "environment",
    "scaling",
    "serving",
    "storage",
    "image",
    "metadata",
    "updates",
)


def builtin_rule_sets() -> list[RuleSet]:
    return [importlib.import_module(f"nimlint.checks.{name}").RULES for name in MODULES]
