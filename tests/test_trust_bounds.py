"""Issue 19, stalling and crashing: inputs within every documented limit, 4x beyond where
nimlint 0.2 broke, through the real CLI.

Time is bounded with a generous subprocess timeout and memory with RLIMIT_AS in the child: a
regression fails (timeout, MemoryError), nothing is timed. benchmarks/hostile_scale.py
measures the same inputs.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nimlint.capping import MAX_PER_FILE, MAX_PER_RUN
from nimlint.effective.placement import _FIELD
from nimlint.messages import MAX_QUOTED

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "examples" / "llama3-8b-instruct.yaml").read_text(encoding="utf-8")
GIB = 1 << 30
LABELS = "  labels:\n    - name: app.kubernetes.io/name\n      value: llama3-8b-instruct\n"


def nimlint(
    *args: str, timeout: float = 60, memory: int = GIB, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """``nimlint ARGS`` in under ``memory`` bytes of address space; never a traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "nimlint", *args],
        capture_output=True,
        timeout=timeout,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (memory, memory)),
        cwd=cwd,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 1), stderr[-2000:]
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[-2000:]
    return proc


def findings(*args: str, timeout: float = 60) -> list[dict]:
    proc = nimlint("check", "--format", "json", *args, timeout=timeout)
    return json.loads(proc.stdout)["findings"]


def labels(count: int, name: str = "a") -> str:
    """The example with ``count`` labels named ``name`` (distinct values)."""
    items = "".join(f"    - name: {name}\n      value: v{i}\n" for i in range(count))
    return GOOD.replace(LABELS, f"  labels:\n{items}", 1)


# --- item 5: list items sharing a name --------------------------------------------------------


def test_thirty_two_thousand_labels_sharing_a_name(tmp_path: Path) -> None:
    # 8,000 took 88 s, 4x per doubling: one JSON dump of every earlier item per duplicate.
    path = tmp_path / "labels.yaml"
    path.write_text(labels(32_000))
    found = findings(str(path), "--select", "K005", timeout=60)
    assert len(found) >= 100 and {f["rule"] for f in found} == {"K005"}
    assert found[0]["message"] == 'duplicate label name "a" (first at spec.labels[0])'


# --- item 6: policies over long lists -------------------------------------------------------

POOLS_POLICY = "rules:\n  nodePools:\n    options:\n" + "".join(
    f"      - value: pool-number-{i}\n" for i in range(20)
)


def test_eighty_thousand_node_pools_against_a_twenty_option_policy(tmp_path: Path) -> None:
    # 20,000 took 79 s: each placed finding searched every other for its compliance entry.
    policy = tmp_path / "policy.yaml"
    policy.write_text(POOLS_POLICY)
    path = tmp_path / "pools.yaml"
    pools = ", ".join(f"p{i}" for i in range(80_000))
    path.write_text(GOOD.replace("[h100, a100]", f"[{pools}]", 1))
    found = findings("--policy", str(policy), "--select", "C005", str(path), timeout=60)
    assert len(found) >= 100 and {f["rule"] for f in found} == {"C005"}
    first = 'spec.nodePools[0] is "p0": value must be one of: "pool-number-0", '
    assert found[0]["message"].startswith(first)


def test_ten_thousand_added_labels_under_can_add_false_through_the_patch_preview(
    tmp_path: Path,
) -> None:
    # --base and --policy (labels canAdd: false) over 10,000 labels took 103 s: each finding
    # searched the merged list for where its item went.
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules:\n  labels:\n    instances:\n      canAdd: false\n")
    base = tmp_path / "running.yaml"
    base.write_text(GOOD)
    items = "".join(f"    - name: l{i}\n      value: v\n" for i in range(40_000))
    update = tmp_path / "update.yaml"
    update.write_text(f"spec:\n  labels:\n{items}")
    found = findings(
        "--kind", "update", "--base", str(base), "--policy", str(policy), "--select", "C003",
        str(update), timeout=60,
    )  # fmt: skip
    assert len(found) >= 100 and {f["rule"] for f in found} == {"C003"}
    assert found[0]["line"] == 3 and found[1]["line"] == 5


@given(st.text(alphabet='aZ_19-.[] \u00e9"(', max_size=30))
def test_field_names_in_messages_are_found_as_the_plain_pattern_finds_them(text: str) -> None:
    # The scanner that places policy findings starts only at the head of a word (linear);
    # it finds what the plain, quadratic pattern finds.
    plain = re.compile(r"[A-Za-z_][\w-]*(?:\[\d+\]|\.[A-Za-z_][\w-]*)+")
    assert _FIELD.findall(text) == plain.findall(text)


# --- item 7: findings are capped per file and per run ----------------------------------------


def test_a_file_of_a_hundred_and_fifty_thousand_findings_in_bounded_memory(tmp_path: Path) -> None:
    # Two findings a byte (each item of nodePools a number: S-type and R-type): 11 million
    # findings of a 32 MiB file took 3 GB; these 150,000 ran out of 256 MiB (55 MB capped).
    doc = "metadata: {name: a, projectId: '1'}\nspec:\n  nodePools: [" + "1," * 7_500 + "1]\n"
    path = tmp_path / "many.yaml"
    path.write_text("---\n".join([doc] * 10))
    proc = nimlint("check", "--format", "json", str(path), timeout=120, memory=GIB // 4)
    report = json.loads(proc.stdout)
    assert len(report["findings"]) == MAX_PER_FILE == report["summary"]["findings"]
    assert report["summary"]["omitted"] > 149_000
    lines = [f["line"] for f in report["findings"]]
    assert lines == sorted(lines) and lines[0] == 2 and lines[-1] == 3  # the first in the file
    assert f"{report['summary']['omitted']:,} more findings not reported" in proc.stderr.decode()


def _warnings_then_an_error(count: int) -> str:
    """``count`` K005 warnings, then an S004 error last in the file."""
    return labels(count, "a").replace("  replicas: 1", "  replicas: -1")


def test_findings_past_the_cap_still_fail_the_run(tmp_path: Path) -> None:
    path = tmp_path / "late-error.yaml"
    path.write_text(_warnings_then_an_error(MAX_PER_FILE + 10))
    proc = nimlint("check", "--select", "K005,S004", "--format", "json", str(path))
    report = json.loads(proc.stdout)
    assert {f["rule"] for f in report["findings"]} == {"K005"}  # the error is past the cap
    assert report["summary"]["omitted"] == 10
    assert proc.returncode == 1  # ... and still fails the run
    assert nimlint("check", "--select", "K005,S004", "--exit-zero", str(path)).returncode == 0


def test_every_report_says_how_many_more_there_were(tmp_path: Path) -> None:
    path = tmp_path / "late-error.yaml"
    path.write_text(_warnings_then_an_error(MAX_PER_FILE + 10))
    said = "10 more findings not reported (at most 1,000 per file and 10,000 per run are)"
    for fmt in ("text", "concise", "github"):
        proc = nimlint("check", "--select", "K005,S004", "--format", fmt, str(path))
        assert said in proc.stdout.decode(), fmt
        assert f"nimlint: note: {said}" in proc.stderr.decode()
    sarif = nimlint("check", "--select", "K005,S004", "--format", "sarif", str(path)).stdout
    run = json.loads(sarif)["runs"][0]
    assert len(run["results"]) == MAX_PER_FILE
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == said
    for fmt in ("gcc", "junit"):
        assert (
            said
            in nimlint("check", "--select", "K005,S004", "--format", fmt, str(path)).stderr.decode()
        )


def test_findings_are_capped_per_run(tmp_path: Path) -> None:
    per_file = 1_000
    for n in range(MAX_PER_RUN // per_file + 2):
        (tmp_path / f"f{n:02}.yaml").write_text(labels(per_file + 1))
    proc = nimlint("check", "--select", "K005", "--format", "json", str(tmp_path), timeout=120)
    report = json.loads(proc.stdout)
    assert len(report["findings"]) == MAX_PER_RUN
    assert report["summary"]["omitted"] == 2 * per_file
    assert report["findings"][-1]["file"].endswith(f"f{MAX_PER_RUN // per_file - 1:02}.yaml")


# --- item 8: every quoted value and list is clipped ------------------------------------------


def _short(message: str) -> bool:
    return len(message) < 4 * MAX_QUOTED


def test_a_policy_of_sixty_thousand_options_keeps_messages_short(tmp_path: Path) -> None:
    # A 949 KB policy and an 11 KB spec hit MemoryError: every message held every option.
    # 60,000 options (nodes per document: 200,000), 3.9 MB (policy files: 4 MiB).
    policy = tmp_path / "policy.yaml"
    options = ", ".join(f"{{value: option-{i:06}-{'x' * 40}}}" for i in range(60_000))
    policy.write_text(f"rules:\n  nodePools:\n    options: [{options}]\n")
    assert policy.stat().st_size < 4 << 20  # within the policy limit
    path = tmp_path / "pools.yaml"
    pools = ", ".join(f"pool-{i}" for i in range(2_000))
    path.write_text(GOOD.replace("[h100, a100]", f"[{pools}]", 1))
    found = findings("--policy", str(policy), "--select", "C005", str(path), timeout=120)
    assert len(found) == MAX_PER_FILE and all(_short(f["message"]) for f in found)
    assert "(59,99" in found[0]["message"] and "more)" in found[0]["message"]


def test_long_policy_limits_names_and_items_are_clipped(tmp_path: Path) -> None:
    big = "9" * 900  # quantities: up to 1,000 digits
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        f"meta: {{scope: project, name: {'n' * 100_000}}}\n"
        "policy:\n"
        "  defaults:\n"
        f"    environmentVariables: {{instances: [{{name: {'E' * 60}, value: a}}]}}\n"
        "  rules:\n"
        f"    compute: {{cpuMemoryRequest: {{min: '{big}'}}}}\n"
        f"    environmentVariables: {{instances: {{locked: [{'E' * 60}]}}}}\n"
    )
    path = tmp_path / "spec.yaml"
    path.write_text(GOOD.replace("name: NIM_LOG_LEVEL", f"name: {'E' * 60}", 1))
    found = findings("--policy", str(policy), "--select", "C", str(path))
    assert {f["rule"] for f in found} >= {"C004", "C006"}
    assert all(_short(f["message"]) for f in found), [len(f["message"]) for f in found]


def test_long_rule_file_texts_and_quantities_are_clipped(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    many = ", ".join(f"v{i}" for i in range(50_000))
    rules.write_text(
        "rules:\n"
        "  - {id: H001, name: pull-policy, severity: error, summary: s, rationale: r,"
        f" bad: b, good: g, check: {{function: one-of-values, options: {{field:"
        f" spec/imagePullPolicy, values: [{many}]}}}}}}\n"
        "  - {id: H002, name: image, severity: error, summary: s, rationale: r,"
        f" bad: b, good: g, check: {{function: pattern, message: '{'m' * 50_000} {{default}}',"
        f" options: {{field: spec/image, regex: 'x{'y' * 50_000}'}}}}}}\n"
        "  - {id: H003, name: memory, severity: error, summary: s, rationale: r,"
        " bad: b, good: g, check: {function: compare, options: {left: spec/compute/cpuMemoryLimit,"
        " op: '>=', right: spec/compute/cpuMemoryRequest, as: quantity}}}\n"
    )
    path = tmp_path / "spec.yaml"
    path.write_text(GOOD.replace("cpuMemoryRequest: 16Gi", f"cpuMemoryRequest: '{'9' * 900}'"))
    found = findings("--isolated", "--rules", str(rules), "--select", "H", str(path))
    assert sorted(f["rule"] for f in found) == ["H001", "H002", "H003"]
    assert all(_short(f["message"]) for f in found), [len(f["message"]) for f in found]


# --- item 9: rule-file patterns run on a linear-time engine ----------------------------------


def _pattern_rules(tmp_path: Path, regex: str) -> Path:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - {id: H010, name: label-values, severity: error, summary: s, rationale: r, bad: b,"
        " good: g, check: {function: pattern, where: /spec/labels/*,"
        f" options: {{field: value, regex: '{regex}'}}}}}}\n"
    )
    return rules


def test_a_backtracking_rule_file_pattern_ends_in_linear_time(tmp_path: Path) -> None:
    # ([a-z0-9]+|[a-z0-9-]+)*: on a 37-character value ran past 20 s; here on 148 characters.
    rules = _pattern_rules(tmp_path, "([a-z0-9]+|[a-z0-9-]+)*:")
    path = tmp_path / "spec.yaml"
    path.write_text(labels(2).replace("value: v0", f"value: {'a' * 148}-!", 1))
    found = findings("--isolated", "--rules", str(rules), "--select", "H010", str(path), timeout=30)
    assert [f["pointer"] for f in found] == ["/spec/labels/0/value", "/spec/labels/1/value"]


def test_a_pattern_re2_cannot_run_is_a_rule_file_error(tmp_path: Path) -> None:
    rules = _pattern_rules(tmp_path, "(?=a)a")
    path = tmp_path / "spec.yaml"
    path.write_text(GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "nimlint", "check", "--isolated", "--rules", str(rules), str(path)],
        capture_output=True,
        timeout=60,
    )
    stderr = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b""
    assert stderr.startswith(f"nimlint: error: {rules}: rule H010: regex ")
    assert "RE2" in stderr and len(stderr.splitlines()) == 1  # and nothing RE2 itself logs


# --- item 11: overflowing numbers are findings, never crashes --------------------------------

DEFAULT_FROM = (
    "rules:\n  compute:\n"
    "    cpuCoreLimit: {defaultFrom: {field: cpuCoreRequest, factor: 2}}\n"
    "    cpuMemoryLimit: {defaultFrom: {field: cpuMemoryRequest, factor: 1e308}}\n"
)


def _overflowing(tmp_path: Path) -> tuple[Path, Path]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(DEFAULT_FROM)
    spec = GOOD.replace(
        "    cpuCoreRequest: 4\n    cpuCoreLimit: 8\n", "    cpuCoreRequest: 1e308\n"
    )
    spec = spec.replace("    cpuMemoryLimit: 32Gi\n", "")
    path = tmp_path / "spec.yaml"
    path.write_text(spec)
    return policy, path


def test_a_default_from_that_overflows_is_a_finding(tmp_path: Path) -> None:
    # 1e308 x 2 ended in "internal error: Invalid literal for Fraction: 'inf'".
    policy, path = _overflowing(tmp_path)
    found = findings("--policy", str(policy), str(path))
    overflow = [f for f in found if f["rule"] == "P011"]
    assert len(overflow) == 1 and "spec.compute.cpuCoreLimit" in overflow[0]["message"]
    assert overflow[0]["line"] == GOOD.splitlines().index("  compute:") + 1
    memory = [f["rule"] for f in found if "cpuMemoryLimit" in f["message"]]
    assert memory == ["S005"]  # a quantity is exact: 16Gi x 1e308 is a 319-digit quantity


def test_effective_json_never_prints_infinity(tmp_path: Path) -> None:
    policy, path = _overflowing(tmp_path)
    proc = nimlint("effective", "--format", "json", "--policy", str(policy), str(path))
    data = json.loads(proc.stdout, parse_constant=lambda name: pytest.fail(name))
    assert "cpuCoreLimit" not in data["spec"]["compute"]  # no default where it overflows


# --- item 15: a rule cache planted in the checkout changes nothing ---------------------------


@pytest.mark.parametrize("isolated", [[], ["--isolated"]])
def test_a_rule_cache_shipped_in_the_checkout_is_not_read(tmp_path: Path, isolated) -> None:
    # With XDG_CACHE_HOME (or HOME) inside the workspace, a pull request's cache downgraded
    # every rule and passed, --isolated too. Entries are planted with the right key.
    from nimlint import checks
    from nimlint.engine import rule_cache
    from nimlint.engine.declarative import _read, builtin_rule_files
    from nimlint.engine.model import Rule

    checkout = tmp_path / "checkout"
    folder = checkout / ".cache" / "nimlint"
    folder.mkdir(parents=True)
    modules = [Path(checks.__file__).with_name(f"{name}.py") for name in checks.MODULES]
    documents = [_read(path) for path in builtin_rule_files()]
    for document in documents:
        for rule in document["rules"]:
            rule.update(summary="HACKED", severity="info")
    entries = [
        dict(checks._entry(rule), summary="HACKED", severity="INFO", kinds=[])
        for rules in checks.builtin_rule_sets()
        for rule in rules
    ]
    for name, paths, salt, planted in (
        ("rules", builtin_rule_files(), [], documents),
        ("python-rules", modules, list(Rule._fields), entries),
    ):
        target = folder / f"{name}-{rule_cache.__version__}-{rule_cache.INSTALLATION}.json"
        target.write_text(json.dumps({"key": rule_cache._key(paths, salt), "documents": planted}))
        target.chmod(0o600)
    spec = checkout / "spec.yaml"
    spec.write_text(GOOD.replace("  replicas: 1", "  replicas: -1"))
    env = {key: value for key, value in os.environ.items() if key != "NIMLINT_CACHE_DIR"} | {
        "XDG_CACHE_HOME": str(checkout / ".cache"),
        "HOME": str(checkout),
    }
    command = [sys.executable, "-m", "nimlint", "check", *isolated, "--format", "json", "spec.yaml"]
    run = subprocess.run(command, capture_output=True, env=env, cwd=checkout, timeout=60)
    assert run.returncode == 1, run.stderr
    found = json.loads(run.stdout)["findings"]
    assert [(f["rule"], f["severity"]) for f in found] == [("S004", "error")]
    listing = subprocess.run(
        [sys.executable, "-m", "nimlint", "rules"], capture_output=True, env=env, cwd=checkout
    )
    assert b"HACKED" not in listing.stdout and listing.returncode == 0


def test_a_long_enum_of_an_openapi_document_is_clipped(tmp_path: Path) -> None:
    document = json.loads((ROOT / "schemas" / "runai-2.24-nim-services.openapi.json").read_text())
    values = [f"Policy{i:05}{'x' * 40}" for i in range(50_000)]
    document["components"]["schemas"]["ImagePullPolicy"]["enum"] = values
    openapi = tmp_path / "openapi.json"
    openapi.write_text(json.dumps(document))
    path = tmp_path / "spec.yaml"
    path.write_text(GOOD.replace("imagePullPolicy: IfNotPresent", "imagePullPolicy: Sometimes"))
    found = findings("--isolated", "--openapi", str(openapi), "--select", "S002", str(path))
    assert len(found) == 1 and _short(found[0]["message"]), len(found[0]["message"])
    assert "(49,99" in found[0]["message"]
