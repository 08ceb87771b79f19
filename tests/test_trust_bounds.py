"""Issue 19, stalling and crashing: inputs within every documented limit, 4x beyond where
nimlint 0.2 broke, through the real CLI.

Time is bounded with a generous subprocess timeout and memory with RLIMIT_AS in the child: a
regression fails (timeout, MemoryError), nothing is timed. benchmarks/hostile_scale.py
measures the same inputs.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "examples" / "llama3-8b-instruct.yaml").read_text(encoding="utf-8")
GIB = 1 << 30
LABELS = "  labels:\n    - name: app.kubernetes.io/name\n      value: llama3-8b-instruct\n"


def _one_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


def nimlint(*args: str, timeout: float = 60, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``nimlint ARGS`` in under 1 GiB of address space; never a traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "nimlint", *args],
        capture_output=True,
        timeout=timeout,
        preexec_fn=_one_gib,
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
