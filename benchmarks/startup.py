"""Start-up benchmark: one file, nimlint vs check-jsonschema, and where nimlint's time goes.

Paired, interleaved rounds of ``nimlint check ONE_FILE``, check-jsonschema on the same file, the
dependency import floor (``import click, yaml, jsonschema_rs``), the same floor in a process
started and ended as nimlint's console entry does (no collector while modules load, no
teardown) and a bare interpreter; then ``--policy`` and ``--fix --diff`` runs when this
nimlint has them. Measures, never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from run import (
    HERE,
    SCHEMA,
    TOOL_ENV,
    Run,
    corpus,
    interpreter,
    log,
    paired,
    tool_path,
    yaml_files,
)

FLOOR = "import click, yaml, jsonschema_rs"
# The same imports in a process started and ended the way nimlint's console entry does it (no
# collector while modules load, no teardown at exit): the floor for a like-for-like comparison.
QUICK_FLOOR = f"import gc, os; gc.disable(); {FLOOR}; gc.freeze(); gc.enable(); os._exit(0)"
POLICY = HERE / "startup-policy.yaml"

# In-process stages of one `nimlint check FILE`, printed as JSON (milliseconds).
STAGES = """
import gc, json, sys, time
clock = time.perf_counter
marks = [("start", clock())]
gc.disable()  # as nimlint.console does while modules load
import click, yaml, jsonschema_rs
marks.append(("dependency imports", clock()))
import nimlint.cli, nimlint.run
gc.freeze()
gc.enable()
marks.append(("nimlint imports", clock()))
from pathlib import Path
from nimlint.lint import Linter
from nimlint.report import Report, render
path = sys.argv[1]
linter = Linter()
setup = linter.setup_for(Path(path).parent)
marks.append(("setup (config, rules, schemas)", clock()))
raw = open(path, "rb").read()
findings = linter.lint_bytes(raw, path, Path(path).parent)
marks.append(("first lint", clock()))
render(Report(findings, [path], dict(setup.registry), "0"), "text")
marks.append(("text report", clock()))
linter.lint_bytes(raw, path, Path(path).parent)
marks.append(("second lint (for comparison)", clock()))
print(json.dumps({b[0]: (b[1] - a[1]) * 1e3 for a, b in zip(marks, marks[1:])}))
"""

# cProfile of the first `nimlint check FILE` after the dependencies are imported.
PROFILE = """
import cProfile, pstats, sys
import click, yaml, jsonschema_rs
from nimlint.cli import main
sys.argv = ["nimlint", "check", sys.argv[1]]
profile = cProfile.Profile()
profile.enable()
try:
    main()
except SystemExit:
    pass
profile.disable()
stats = pstats.Stats(profile, stream=sys.stderr)
stats.sort_stats("cumulative").print_stats(r"nimlint|re/_|dataclasses|importlib", 25)
"""


def supports(nimlint: str, option: str) -> bool:
    """Whether ``nimlint check --help`` lists ``option`` (features other work adds)."""
    proc = subprocess.run([nimlint, "check", "--help"], env=TOOL_ENV, capture_output=True)
    return option.encode() in proc.stdout


def commands(tools: dict[str, str], python: str, target: Path) -> dict[str, list[str]]:
    nimlint = tools["nimlint"]
    cmds = {
        "nimlint check": [nimlint, "check", str(target)],
        "check-jsonschema": [tools["check-jsonschema"], "--schemafile", str(SCHEMA), str(target)],
        "import floor": [python, "-c", FLOOR],
        "import floor, started as nimlint": [python, "-c", QUICK_FLOOR],
        "bare python": [python, "-c", "pass"],
    }
    if supports(nimlint, "--policy") and POLICY.exists():
        cmds["nimlint check --policy"] = [nimlint, "check", "--policy", str(POLICY), str(target)]
    else:
        log("nimlint has no --policy yet: skipping that entry")
    if supports(nimlint, "--fix") and supports(nimlint, "--diff"):
        cmds["nimlint check --fix --diff"] = [nimlint, "check", "--fix", "--diff", str(target)]
    else:
        log("nimlint has no --fix/--diff yet: skipping that entry")
    return cmds


def paired_median(a: list[Run], b: list[Run], op) -> float:
    return statistics.median(op(x.seconds, y.seconds) for x, y in zip(a, b, strict=True))


def import_breakdown(python: str, nimlint: str, target: Path) -> dict:
    """``-X importtime`` self times: nimlint's modules, and modules only nimlint pulls in."""

    def self_times(args: list[str]) -> dict[str, int]:
        proc = subprocess.run(
            [python, "-X", "importtime", *args], env=TOOL_ENV, capture_output=True, text=True
        )
        times = {}
        for line in proc.stderr.splitlines():
            if line.startswith("import time:") and "|" in line and "self [us]" not in line:
                own, _, name = line[len("import time:") :].split("|")
                times[name.strip()] = times.get(name.strip(), 0) + int(own)
        return times

    floor = self_times(["-c", FLOOR])
    runs = [self_times([nimlint, "check", str(target)]) for _ in range(5)]
    modules = {name for run in runs for name in run if name not in floor}
    median = {m: statistics.median(run.get(m, 0) for run in runs) for m in modules}
    ours = {m: t for m, t in median.items() if m.split(".")[0] == "nimlint"}
    others = {m: t for m, t in median.items() if m not in ours}
    return {
        "nimlint_us": sum(ours.values()),
        "others_us": sum(others.values()),
        "top_nimlint": sorted(ours.items(), key=lambda kv: -kv[1])[:10],
        "top_others": sorted(others.items(), key=lambda kv: -kv[1])[:8],
    }


def stages(python: str, target: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        proc = subprocess.run(
            [python, "-c", STAGES, str(target)], env=TOOL_ENV, capture_output=True, check=True
        )
        runs.append(json.loads(proc.stdout))
    return {stage: statistics.median(r[stage] for r in runs) for stage in runs[0]}


def profile(python: str, target: Path) -> str:
    proc = subprocess.run(
        [python, "-c", PROFILE, str(target)], env=TOOL_ENV, capture_output=True, text=True
    )
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[start:])


def report(result: dict) -> str:
    rows = result["summary"]
    lines = [
        "## One file: nimlint vs check-jsonschema",
        "",
        f"{result['repeat']} paired, interleaved rounds after one warm-up each; median wall "
        "time and CPU time (user + system) of one process; 1-minute load average "
        f"{result['load'][0]:.2f} before, {result['load'][1]:.2f} after.",
        "",
        "| Command | median (ms) | min (ms) | CPU (ms) | RSS (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        lines.append(
            f"| {name} | {row['median_ms']:.0f} | {row['min_ms']:.0f} | {row['cpu_ms']:.0f} "
            f"| {row['rss_mb']:.0f} |"
        )
    lines += [
        "",
        f"- check-jsonschema / nimlint time (paired median): **{result['ratio']:.2f}x** "
        f"(nimlint at {100 / result['ratio']:.0f}% of check-jsonschema's time)",
        f"- nimlint's own work above the import floor (paired median): "
        f"**{result['own_ms']:.0f} ms**; above the floor started as nimlint starts (no "
        f"collector while modules load, no teardown): {result['own_quick_ms']:.0f} ms",
        "",
        "## Where nimlint's time goes",
        "",
        "In-process stages of one `nimlint check FILE` (median, ms):",
        "",
        "| Stage | ms |",
        "|---|---:|",
        *(f"| {stage} | {ms:.1f} |" for stage, ms in result["stages"].items()),
        "",
    ]
    imports = result["imports"]
    lines += [
        "`-X importtime` of `nimlint check FILE`, modules the import floor does not load "
        f"(median self time of 5 runs): nimlint's own {imports['nimlint_us'] / 1e3:.1f} ms, "
        f"other modules {imports['others_us'] / 1e3:.1f} ms.",
        "",
        "| nimlint module | self (ms) | | other module | self (ms) |",
        "|---|---:|---|---|---:|",
    ]
    ours, others = imports["top_nimlint"], imports["top_others"]
    for i in range(max(len(ours), len(others))):
        a = f"{ours[i][0]} | {ours[i][1] / 1e3:.2f}" if i < len(ours) else " | "
        b = f"{others[i][0]} | {others[i][1] / 1e3:.2f}" if i < len(others) else " | "
        lines.append(f"| {a} | | {b} |")
    lines += ["", "cProfile of the first run (cumulative):", "", "```", result["profile"], "```"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11, help="paired rounds")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--json", type=Path, metavar="OUT", help="save raw numbers as JSON")
    args = parser.parse_args(argv)

    tools = {name: tool_path(name) for name in ("nimlint", "check-jsonschema")}
    python = interpreter(tools["nimlint"])
    base = corpus("files-2000", 2000, args.seed, stream=False)
    with tempfile.TemporaryDirectory() as tmp:
        # A file of its own, so --fix never touches the shared corpus.
        target = Path(tmp) / "nim.yaml"
        target.write_bytes((base / yaml_files(base)[0]).read_bytes())
        load_before = os.getloadavg()[0]
        runs = paired(commands(tools, python, target), Path(tmp), args.repeat, "start-up")
        load = (load_before, os.getloadavg()[0])
        log("breakdown")
        result = {
            "repeat": args.repeat,
            "load": load,
            "runs": {name: [asdict(r) for r in rs] for name, rs in runs.items()},
            "summary": {
                name: {
                    "median_ms": statistics.median(r.seconds for r in rs) * 1e3,
                    "min_ms": min(r.seconds for r in rs) * 1e3,
                    "cpu_ms": statistics.median(r.cpu_seconds for r in rs) * 1e3,
                    "rss_mb": max(r.rss_mb for r in rs),
                }
                for name, rs in runs.items()
            },
            "ratio": paired_median(
                runs["check-jsonschema"], runs["nimlint check"], lambda a, b: a / b
            ),
            "own_ms": paired_median(runs["nimlint check"], runs["import floor"], float.__sub__)
            * 1e3,
            "own_quick_ms": paired_median(
                runs["nimlint check"], runs["import floor, started as nimlint"], float.__sub__
            )
            * 1e3,
            "stages": stages(python, target, args.repeat),
            "imports": import_breakdown(python, tools["nimlint"], target),
            "profile": profile(python, target),
        }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
