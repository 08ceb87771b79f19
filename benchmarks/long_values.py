"""Time ``nimlint check`` on the example request with one value 10k or 100k characters long.

Measures, never asserts: every scenario should cost about as much as the plain example; a
pattern or parser that is not linear in its input shows up as seconds at 100,000 characters.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE = (HERE.parent / "examples" / "llama3-8b-instruct.yaml").read_text(encoding="utf-8")
SIZES = (10_000, 100_000)
MEMORY = "cpuMemoryRequest: 16Gi"
# field -> (text to replace, how to build the long value of n characters)
FIELDS = {
    "quantity (digits, then a bad character)": (MEMORY, lambda n: f"{MEMORY[:-4]}'{'1' * n}!'"),
    "quantity (digits, exponent, digits)": (MEMORY, lambda n: f"{MEMORY[:-4]}'{'1' * n}e1x'"),
    "image path": ("llama-3.1-8b-instruct:1.3.3", lambda n: "a." * (n // 2) + "!:1"),
    "image digest": ("llama-3.1-8b-instruct:1.3.3", lambda n: f"x@sha256:{'a' * n}!"),
    "metadata.name": ("name: llama3-8b-instruct", lambda n: f"name: {'a-' * (n // 2)}"),
    "environment variable name": ("name: NIM_LOG_LEVEL", lambda n: f"name: {'A_' * (n // 2)}x"),
    "label value": ("value: llama3-8b-instruct", lambda n: f"value: {'a.' * (n // 2)}-"),
    "unknown key": ("  replicas: 1", lambda n: f"  replicas: 1\n  ? {'k' * n}\n  : 1"),
    "YAML 1.1 number": ("  replicas: 1", lambda n: f"  replicas: {'1_' * (n // 2)}1"),
}  # fmt: skip


def timed(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nimlint", "check", str(path)], capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "plain.yaml"
        plain.write_text(EXAMPLE, encoding="utf-8")
        print(f"Plain example: {timed(plain):.2f} s ({os.cpu_count()} CPUs)\n")
        print("| value | " + " | ".join(f"{n:,} chars" for n in SIZES) + " |")
        print("|---|" + "---:|" * len(SIZES))
        for name, (old, build) in FIELDS.items():
            cells = []
            for n in SIZES:
                path = Path(folder) / f"long-{n}.yaml"
                path.write_text(EXAMPLE.replace(old, build(n), 1), encoding="utf-8")
                cells.append(f"{timed(path):.2f} s")
            print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
