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


def test_no_removal_fix_that_uncovers_a_policys_attribute_default(tmp_path: Path) -> None:
    """T003 drops the value of an Exists toleration. A policy's tolerations ``attributes`` give
    every item (the request's additions too) value "2": dropping the request's value hands it
    the policy's, T003 stays, and the user's value is gone for nothing."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("defaults:\n  tolerations:\n    attributes: {value: '2'}\n")
    text = HEAD + "  tolerations:\n    - {name: gpu, key: g, operator: Exists, value: x}\n"
    options = Options(policies=(policy,), fixes=True)
    (t003,) = [f for f in lint_text(text, "spec.yaml", options) if f.rule == "T003"]
    assert t003.fix is None


def test_a_removal_fix_stays_where_no_lower_layer_has_the_field(tmp_path: Path) -> None:
    """The guard above does not cost the fixes it should not: with a policy and a base that do
    not set the field, N003 and T003 still remove the request's own values."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("defaults:\n  compute: {cpuCoreRequest: 1}\n")
    text = (
        HEAD
        + "  servingPort: {port: 8000, metricsPort: 8000}\n"
        + "  tolerations:\n    - {name: gpu, key: g, operator: Exists, value: x}\n"
    )
    options = Options(policies=(policy,), fixes=True)
    fixed = {f.rule for f in lint_text(text, "spec.yaml", options) if f.fix is not None}
    assert {"N003", "T003"} <= fixed
    base = tmp_path / "running.yaml"
    base.write_text(HEAD + "  servingPort:\n    port: 8000\n")
    update = "spec:\n  servingPort:\n    metricsPort: 8000\n    grpcPort: 9001\n"
    fixed_update = Linter(Options(base=base, fix="safe")).fix_bytes(update.encode(), "u.yaml", ROOT)
    assert "metricsPort" not in fixed_update.text


def test_a_fix_is_offered_for_a_request_item_a_policy_list_moved(tmp_path: Path) -> None:
    """docs/fixes.md: under --policy a finding about a value the file wrote has its fix. A
    policy's default environment variable comes first in the effective list, so the request's
    item 0 is item 1 there: the finding is placed on the request's value, and its fix must be
    made there too."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("defaults:\n  environmentVariables: {instances: [{name: X, value: '1'}]}\n")
    text = HEAD + "  environmentVariables:\n    - {name: A, value: 1}\n"
    options = Options(policies=(policy,), fix="safe")
    fixed = Linter(options).fix_bytes(text.encode(), "spec.yaml", ROOT)
    assert fixed.text == text.replace("value: 1}", 'value: "1"}')
    assert [f.rule for f in fixed.findings if f.rule == "S001"] == []


def test_every_duplicate_of_one_list_is_offered_its_fix() -> None:
    """Fixes are verified together: the changes of two removals from one list, made in the
    data one after another, shift the second's index, so the set 'fails' and halving keeps
    one. The old version offered each removal (JSON, SARIF, --diff), and --fix made them in
    one pass."""
    text = (
        HEAD
        + "  environmentVariables:\n"
        + "".join(f"    - {{name: V{i}, value: '1'}}\n" * 2 for i in range(3))
    )
    findings = [f for f in lint_text(text, "spec.yaml", Options(fixes=True)) if f.rule == "V004"]
    assert [f.fix is not None for f in findings] == [True, True, True]
    fixed = Linter(Options(fix="safe")).fix_bytes(text.encode(), "spec.yaml", ROOT)
    assert fixed.text.count("name: V") == 3 and fixed.fixed == 3


def test_duplicate_fixes_cost_linear_time_in_the_list(monkeypatch) -> None:
    """Each duplicate's repair compared its item with every earlier one (a JSON text each):
    n duplicates cost n*n/2 texts, 30 s for 2000 environment variables. Counted, not timed."""
    from nimlint.engine import repairs

    calls = []
    real = repairs.same_data
    monkeypatch.setattr(repairs, "same_data", lambda value: calls.append(1) or real(value))
    n = 300
    text = (
        HEAD
        + "  environmentVariables:\n"
        + "".join(f"    - {{name: V{i}, value: '1'}}\n" * 2 for i in range(n))
    )
    lint_text(text, "spec.yaml", Options(isolated=True))
    assert len(calls) < 10 * n


def test_many_removal_fixes_stay_linear_in_the_file() -> None:
    """Every repair is resolved into edits now (the fix stage verifies them together), and a
    removal's edits walked all of the document's positions: 2000 duplicates took 12 s. A
    generous bound (about 1 s; quadratic, 3000 take 25 s), not a benchmark."""
    import time

    text = (
        HEAD
        + "  environmentVariables:\n"
        + "".join(f"    - {{name: V{i}, value: '1'}}\n" * 2 for i in range(3000))
    )
    started = time.perf_counter()
    findings = lint_text(text, "spec.yaml", Options(fixes=True, isolated=True))
    assert time.perf_counter() - started < 10
    reported = [f for f in findings if f.rule == "V004"]  # at most 1,000 findings of a file
    assert len(reported) > 900 and all(f.fix is not None for f in reported)


def test_stdin_fix_with_a_filename_writes_the_document_even_when_nothing_is_fixed() -> None:
    """docs/fixes.md: with -, --fix writes the fixed document to standard output. Named with
    --stdin-filename, a document that needs no fix came out as nothing: an editor or a shell
    pipe (``nimlint check --fix --stdin-filename f.yaml - < f.yaml > g.yaml``) lost it."""
    import subprocess
    import sys

    text = HEAD + "  compute: {gpuDevicesRequest: 1}\n  servingPort: {port: 8000}\n"
    for named in ([], ["--stdin-filename", "deploy/a.yaml"]):
        args = [sys.executable, "-m", "nimlint", "check", "--isolated", "-q", "--fix", *named, "-"]
        done = subprocess.run(args, input=text.encode(), capture_output=True, cwd=ROOT)
        assert done.stdout.decode() == text, named
