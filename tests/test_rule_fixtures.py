"""Every rule against its fixtures: tests/fixtures/rules/<ID>/{bad,good}-*.yaml|json.

A ``bad-NAME.yaml`` sits beside ``bad-NAME.expected``: one ``LINE:COL POINTER`` line per
finding of that rule (and only that rule) the file must produce. A ``good-*`` file must
produce no finding of the rule. Each rule's documented bad/good examples are linted too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nimlint.engine.registry import build_registry
from nimlint.lint import Linter, Options

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
REGISTRY = build_registry(plugins=False)
# Documented examples that cannot be linted as written (they describe the input instead).
UNLINTABLE_EXAMPLES = {"K008", "P007", "P013", "S007", "S009", "X002"}


def fixture_options(rule_id: str, folder: Path) -> Options:
    """Options for a rule's fixtures; a folder's options.yaml may set openapi, rules, select,
    base (the running service an update applies to, for PATCH preview rules) and policy
    (a list of policy files)."""
    extra = (
        yaml.safe_load((folder / "options.yaml").read_text())
        if (folder / "options.yaml").exists()
        else {}
    )
    overrides = {"select": tuple(extra.get("select", [rule_id]))}
    if "openapi" in extra:
        overrides["openapi"] = folder / extra["openapi"]
    rules = tuple(folder / r for r in extra.get("rules", ()))
    base = folder / extra["base"] if "base" in extra else None
    policies = tuple(folder / p for p in extra.get("policy", ()))
    return Options(
        overrides=overrides, extra_rules=rules, plugins=False, base=base, policies=policies
    )


def lint_as(rule_id: str, path: Path, folder: Path | None = None) -> list[str]:
    linter = Linter(fixture_options(rule_id, folder or path.parent))
    findings = linter.lint_bytes(path.read_bytes(), path.name, path.parent)
    return sorted(f"{f.line}:{f.column} {f.pointer}".strip() for f in findings if f.rule == rule_id)


def fixture_cases() -> list:
    cases = []
    for folder in sorted(FIXTURES.iterdir()):
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".yml", ".json") and path.name.startswith(("bad", "good")):
                cases.append(pytest.param(folder.name, path, id=f"{folder.name}/{path.name}"))
    return cases


@pytest.mark.parametrize(("rule_id", "path"), fixture_cases())
def test_fixture(rule_id: str, path: Path) -> None:
    found = lint_as(rule_id, path)
    if path.name.startswith("good"):
        assert found == [], f"{path.name} must not trigger {rule_id}"
        return
    expected_file = path.with_suffix(".expected")
    expected = sorted(
        line.strip() for line in expected_file.read_text().splitlines() if line.strip()
    )
    assert expected, f"{expected_file.name} lists no finding"
    assert found == expected


@pytest.mark.parametrize("rule_id", list(REGISTRY))
def test_every_rule_has_failing_and_passing_fixtures(rule_id: str) -> None:
    folder = FIXTURES / rule_id
    names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    assert any(n.startswith("bad") and not n.endswith(".expected") for n in names), rule_id
    assert any(n.startswith("good") for n in names), rule_id


@pytest.mark.parametrize("rule_id", [r for r in REGISTRY if r not in UNLINTABLE_EXAMPLES])
def test_documented_examples(rule_id: str, tmp_path: Path) -> None:
    rule = REGISTRY[rule_id]
    for kind, text, should_fire in (("bad", rule.bad, True), ("good", rule.good, False)):
        path = tmp_path / f"{kind}.yaml"
        path.write_text(text)
        folder = FIXTURES / rule_id
        if rule.reported_by == "policy":  # the example's first line is its policy
            policy = text.splitlines()[0].removeprefix("# policy: ")
            (tmp_path / "options.yaml").write_text("policy: [policy.yaml]\n")
            (tmp_path / "policy.yaml").write_text(policy + "\n")
            folder = tmp_path
        fired = bool(lint_as(rule_id, path, folder))
        assert fired == should_fire, f"{rule_id} documented {kind} example"
