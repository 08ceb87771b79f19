"""An outsider's attack on the one pipeline and its fix stage (issue 18): what held is not
here, only the defects found, each as the smallest failing case."""

from __future__ import annotations

from pathlib import Path

from nimlint.lint import Linter, Options, lint_text

ROOT = Path(__file__).resolve().parent.parent
HEAD = 'metadata: {name: a, projectId: "5"}\nspec:\n  image: nvcr.io/nim/x:1\n  ngcAuthSecret: s\n'


def test_no_removal_fix_under_a_policy_whose_default_would_take_the_value_back(
    tmp_path: Path,
) -> None:
    """N003 removes a metricsPort equal to port. Under a policy that defaults metricsPort to
    9000, removing the request's metricsPort gives the service 9000: the 'safe' fix changes
    where metrics are read, so it is no fix for the effective request."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("defaults:\n  servingPort: {metricsPort: 9000}\n")
    text = HEAD + "  servingPort:\n    port: 8000\n    metricsPort: 8000\n"
    options = Options(policies=(policy,), fixes=True)
    (n003,) = [f for f in lint_text(text, "spec.yaml", options) if f.rule == "N003"]
    assert n003.fix is None


def test_no_removal_fix_under_a_base_that_would_keep_its_own_value(tmp_path: Path) -> None:
    """An update's nested merge keeps the base's value for a key the update does not send:
    removing the update's metricsPort (equal to the base's port) leaves the base's 9000."""
    base = tmp_path / "running.yaml"
    base.write_text(HEAD + "  servingPort:\n    port: 8000\n    metricsPort: 9000\n")
    update = "spec:\n  servingPort:\n    metricsPort: 8000\n    grpcPort: 9001\n"
    fixed = Linter(Options(base=base, fix="safe")).fix_bytes(update.encode(), "u.yaml", ROOT)
    assert "metricsPort: 8000" in fixed.text
