"""Time ``nimlint check`` on the inputs that stalled it (issue 19, items 5-9), at the size
where it broke and at 4x that size: seconds and peak RSS of each run.

Measures, never asserts (tests/test_trust_bounds.py holds the generous bounds): a step that
is not linear in its input shows up as a 4x column that costs far more than 4x the first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE = (HERE.parent / "examples" / "llama3-8b-instruct.yaml").read_text(encoding="utf-8")
LABELS = "  labels:\n    - name: app.kubernetes.io/name\n      value: llama3-8b-instruct\n"
POOLS_POLICY = "rules:\n  nodePools:\n    options:\n" + "".join(
    f"      - value: pool-number-{i}\n" for i in range(20)
)


def _labels(n: int) -> str:
    items = "".join(f"    - name: a\n      value: v{i}\n" for i in range(n))
    return EXAMPLE.replace(LABELS, f"  labels:\n{items}", 1)


def _pools(n: int) -> str:
    return EXAMPLE.replace("[h100, a100]", "[" + ", ".join(f"p{i}" for i in range(n)) + "]", 1)


def labels_sharing_a_name(folder: Path, n: int) -> list[str]:
    (folder / "spec.yaml").write_text(_labels(n))
    return ["spec.yaml"]


def node_pools_against_options(folder: Path, n: int) -> list[str]:
    (folder / "policy.yaml").write_text(POOLS_POLICY)
    (folder / "spec.yaml").write_text(_pools(n))
    return ["--policy", "policy.yaml", "spec.yaml"]


def added_labels_in_a_preview(folder: Path, n: int) -> list[str]:
    (folder / "policy.yaml").write_text("rules:\n  labels:\n    instances:\n      canAdd: false\n")
    (folder / "running.yaml").write_text(EXAMPLE)
    items = "".join(f"    - name: l{i}\n      value: v\n" for i in range(n))
    (folder / "update.yaml").write_text(f"spec:\n  labels:\n{items}")
    return ["--kind", "update", "--base", "running.yaml", "--policy", "policy.yaml", "update.yaml"]


def two_findings_a_byte(folder: Path, n: int) -> list[str]:
    doc = "metadata: {name: a, projectId: '1'}\nspec:\n  nodePools: [" + "1," * (n // 20) + "1]\n"
    (folder / "many.yaml").write_text("---\n".join([doc] * 10))
    return ["many.yaml"]


def policy_options(folder: Path, n: int) -> list[str]:
    options = ", ".join(f"{{value: option-{i:06}-{'x' * 40}}}" for i in range(n))
    (folder / "policy.yaml").write_text(f"rules:\n  nodePools:\n    options: [{options}]\n")
    (folder / "spec.yaml").write_text(_pools(2_000))
    return ["--policy", "policy.yaml", "spec.yaml"]


def backtracking_rule_pattern(folder: Path, n: int) -> list[str]:
    (folder / "rules.yaml").write_text(
        "rules:\n"
        "  - {id: H010, name: label-values, severity: error, summary: s, rationale: r, bad: b,"
        " good: g, check: {function: pattern, where: /spec/labels/*,"
        " options: {field: value, regex: '([a-z0-9]+|[a-z0-9-]+)*:'}}}\n"
    )
    value = "value: llama3-8b-instruct\n  annotations"
    spec = EXAMPLE.replace(value, f"value: {'a' * n}-!\n  annotations")
    (folder / "spec.yaml").write_text(spec)
    return ["--isolated", "--rules", "rules.yaml", "spec.yaml"]


# (item, what, build, size where it broke, unit)
SCENARIOS = [
    ("5", "labels sharing a name", labels_sharing_a_name, 8_000, "labels"),
    ("6", "node pools, 20-option policy", node_pools_against_options, 20_000, "pools"),
    ("6", "added labels, --base + canAdd: false", added_labels_in_a_preview, 10_000, "labels"),
    ("7", "two findings a byte (10 documents)", two_findings_a_byte, 150_000, "findings"),
    ("8", "policy options in messages (2,000 pools)", policy_options, 15_000, "options"),
    ("9", "backtracking rule-file pattern", backtracking_rule_pattern, 37, "characters"),
]


# Run in a process of its own, so its children's peak RSS is this run's alone; the child is
# killed at the timeout.
_PROBE = """
import resource, subprocess, sys, time
start = time.perf_counter()
try:
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=float(sys.argv[1]))
except subprocess.TimeoutExpired:
    print("timeout")
    sys.exit()
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{time.perf_counter() - start:.2f} s, {peak // 1024} MB")
"""


def timed(folder: Path, args: list[str], timeout: float = 300) -> str:
    """Wall seconds and peak RSS of ``nimlint check ARGS`` (or that it ran past ``timeout``)."""
    command = [sys.executable, "-m", "nimlint", "check", *args]
    probe = [sys.executable, "-c", _PROBE, str(timeout), *command]
    out = subprocess.run(probe, cwd=folder, capture_output=True, text=True).stdout.strip()
    return f"over {timeout:.0f} s" if out == "timeout" else out


def main() -> int:
    print(f"{os.cpu_count()} CPUs; each cell: wall time, peak RSS\n")
    print("| item | input | where it broke | 4x |")
    print("|---|---|---:|---:|")
    for item, what, build, size, unit in SCENARIOS:
        cells = []
        for n in (size, 4 * size):
            with tempfile.TemporaryDirectory() as name:
                folder = Path(name)
                cells.append(f"{n:,} {unit}: {timed(folder, build(folder, n))}")
        print(f"| {item} | {what} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
