"""Generated documentation stays in sync with the rule metadata."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nimlint.engine.registry import build_registry

ROOT = Path(__file__).resolve().parent.parent


def test_rules_reference_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_every_rule_is_documented() -> None:
    for rule in build_registry(plugins=False).values():
        assert rule.summary and "\n" not in rule.summary.strip(), rule.id
        assert len(rule.rationale) > 40, rule.id
        assert rule.bad.strip() and rule.good.strip(), rule.id
