"""Rule documentation: the `nimlint rules` listing, `nimlint rule ID`, and docs/rules.md.

Rule files and Python rule modules can come from a checkout, so every rule's text is shown
through ``report.printable_rule`` (in JSON too: its strings are the escaped text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from nimlint.engine.model import KINDS, Rule
from nimlint.report import printable_rule


def rules_table(rules: Mapping[str, Rule]) -> str:
    lines = [
        f"{rule.id:<6} {rule.severity!s:<8} {rule.name:<36} fix: {rule.fix:<7} {rule.summary}"
        for rule in map(printable_rule, rules.values())
    ]
    return "\n".join(lines) + "\n"


def rules_json(rules: Mapping[str, Rule]) -> str:
    entries = [
        {
            "id": rule.id,
            "name": rule.name,
            "severity": str(rule.severity),
            "summary": rule.summary,
            "kinds": [k for k in KINDS if k in rule.kinds],
            "reportedBy": rule.reported_by,
            "fix": rule.fix,
            "origin": rule.origin if rule.origin.startswith("plugin") else "",
        }
        for rule in map(printable_rule, rules.values())
    ]
    return json.dumps(entries, indent=2) + "\n"


def rule_markdown(rule: Rule, heading: str = "##") -> str:
    """One rule's documentation entry."""
    rule = printable_rule(rule)
    kinds = ", ".join(k for k in KINDS if k in rule.kinds)
    return (
        f"{heading} {rule.id}\n\n"
        f"**{rule.name}** · default severity: `{rule.severity}` · documents: {kinds}"
        f" · reported by: {rule.reported_by} · fix: {rule.fix}\n\n"
        f"{rule.summary}\n\n"
        f"{rule.rationale.strip()}\n\n"
        f"Reported:\n\n```yaml\n{rule.bad.rstrip()}\n```\n\n"
        f"Accepted:\n\n```yaml\n{rule.good.rstrip()}\n```\n"
    )


def rules_reference(rules: Mapping[str, Rule]) -> str:
    """The whole of docs/rules.md."""
    head = (
        "# nimlint rules\n\n"
        "Generated from the rule metadata by `python scripts/build_docs.py`; "
        "a test keeps it in sync. Change a rule's docs where the rule lives "
        "(`rules/*.yaml` or the docstring of its Python function), not here.\n\n"
        "| id | name | severity | fix | summary |\n|---|---|---|---|---|\n"
    )
    rows = "".join(
        f"| [{r.id}](#{r.id.lower()}) | {r.name} | {r.severity} | {r.fix} | {r.summary} |\n"
        for r in map(printable_rule, rules.values())
    )
    return head + rows + "\n" + "\n".join(rule_markdown(r) for r in rules.values())
