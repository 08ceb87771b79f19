"""nimlint's own Python rules, one module per area.

A run learns what these rules are (id, name, severity, kinds, docs) from the rule cache and
imports a rule's module only when its check first runs, so rules that are not selected, or
whose kind is not linted, cost nothing at start-up.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from nimlint.engine import rule_cache
from nimlint.engine.model import FIX_APPLICABILITY, KINDS, Rule
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Severity

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
    """Every shipped rule set, importing every rule module."""
    return [importlib.import_module(f"nimlint.checks.{name}").RULES for name in MODULES]


def builtin_rules() -> list[Rule]:
    """The shipped Python rules, each check importing its module on first use."""
    paths = [Path(__file__).with_name(f"{name}.py") for name in MODULES]
    salt = list(Rule._fields)
    entries = rule_cache.load(paths, "python-rules", salt)
    if entries is None or not all(map(_valid, entries)):
        entries = [_entry(rule) for rule_set in builtin_rule_sets() for rule in rule_set]
        rule_cache.store(paths, entries, "python-rules", salt)
    return [_rule(entry) for entry in entries]


def _valid(entry) -> bool:
    """Whether a cached entry is rule metadata and nothing else: a Rule's fields, each of its
    type, and an origin among the shipped modules (the module its LazyCheck will import)."""
    return (
        type(entry) is dict
        and entry.keys() == _ENTRY_FIELDS
        and type(entry["origin"]) is str
        and entry["origin"] in _ORIGINS
        and type(entry["severity"]) is str
        and entry["severity"] in Severity.__members__
        and type(entry["fix"]) is str
        and entry["fix"] in FIX_APPLICABILITY
        and all([type(entry[field]) is str for field in _TEXT_FIELDS])
        and type(entry["kinds"]) is list
        and all([type(kind) is str and kind in KINDS for kind in entry["kinds"]])
    )


_ENTRY_FIELDS = set(Rule._fields) - {"check"}
_TEXT_FIELDS = ("id", "name", "summary", "rationale", "bad", "good", "reported_by")
_ORIGINS = {f"nimlint.checks.{name}" for name in MODULES}


def _rule(entry: dict) -> Rule:
    fields = dict(entry, severity=Severity[entry["severity"]], kinds=frozenset(entry["kinds"]))
    return Rule(**fields, check=LazyCheck(entry["origin"], entry["id"]))


def _entry(rule: Rule) -> dict:
    entry = rule._asdict()
    del entry["check"]
    entry["severity"] = rule.severity.name
    entry["kinds"] = sorted(rule.kinds)
    return entry


class LazyCheck:
    """The check of rule ``rule_id`` in ``module``, imported the first time it is called."""

    __slots__ = ("_check", "module", "rule_id")

    def __init__(self, module: str, rule_id: str):
        self.module = module
        self.rule_id = rule_id
        self._check = None

    def __call__(self, context):
        if self._check is None:
            self._check = importlib.import_module(self.module).RULES.check_of(self.rule_id)
            if self._check is None:
                raise LookupError(f"{self.module} has no rule {self.rule_id} (stale rule cache?)")
        return self._check(context)

    def __repr__(self) -> str:
        return f"LazyCheck({self.module!r}, {self.rule_id!r})"
