"""Benchmark nimlint against check-jsonschema on generated NIM specs. Measures, never asserts.

Each scenario runs the two commands paired and interleaved (A, B, A, B, ...) after one untimed
warm-up each, and reports the median wall time, throughput and peak RSS (``os.wait4``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import generate_corpus

HERE = Path(__file__).resolve().parent
SCHEMA = HERE.parent / "schemas" / "nim-service-create.schema.json"
# Both tools run with cached bytecode, as after a wheel install, written only under corpus/.
TOOL_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TOOL_ENV["PYTHONPYCACHEPREFIX"] = str(HERE / "corpus" / "pycache")
# nimlint's own rule cache, so another checkout on the machine cannot invalidate it mid-run.
TOOL_ENV["NIMLINT_CACHE_DIR"] = str(HERE / "corpus" / "nimlint-cache")
NO_STREAMS = "n/a: check-jsonschema loads one document per file and rejects multi-document streams"

# Run a console script with a spy on a pure-Python YAML parser class, so we learn whether the
# tool parsed with the C (libyaml) parser. Writes a JSON result to argv[1] at exit.
PROBE = """
import atexit, importlib, json, sys
from importlib.metadata import entry_points, version
out, dist, module, cls_name, c_attr, script, *args = sys.argv[1:]
entry = next(iter(entry_points(group="console_scripts", name=script)), None)
if entry is None:
    sys.exit(f"no console script {script!r} in this interpreter")
cls = getattr(importlib.import_module(module), cls_name)
calls = []
original = cls.__init__
def spy(self, *a, **k):
    calls.append(1)
    original(self, *a, **k)
cls.__init__ = spy
c_module, _, attr = c_attr.partition(":")
result = {
    "library": f"{dist} {version(dist)}",
    "c_available": bool(getattr(importlib.import_module(c_module), attr, None)),
}
def report():
    result["pure_parser_instances"] = len(calls)
    with open(out, "w") as f:
        json.dump(result, f)
atexit.register(report)
sys.argv = [script, *args]
entry.load()()
"""
PARSERS = {
    "nimlint": ("PyYAML", "yaml.scanner", "Scanner", "yaml:__with_libyaml__"),
    "check-jsonschema": ("ruamel.yaml", "ruamel.yaml.parser", "Parser", "ruamel.yaml.main:CParser"),
}


@dataclass
class Run:
    seconds: float
    rss_mb: float
    exit_code: int
    cpu_seconds: float  # user + system: less sensitive to other load than wall time


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def tool_path(name: str) -> str:
    """The real console script (next to this interpreter first, avoiding pyenv shims)."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found on PATH")
    return found


def interpreter(script: str) -> str:
    """The Python that runs a console script, from its shebang."""
    first = Path(script).read_bytes()[:300].split(b"\n", 1)[0]
    if first.startswith(b"#!") and b"python" in first:
        return first[2:].decode().strip().split()[0]
    return sys.executable


def measure(cmd: list[str], cwd: Path) -> Run:
    """Wall time, peak RSS and CPU time of one run; exit codes 0 and 1 (findings) are success.
    A command ending in ``-`` after ``<FILE`` reads FILE on standard input."""
    stdin = None
    if len(cmd) > 1 and cmd[-2].startswith("<"):
        stdin, cmd = open(cmd[-2][1:], "rb"), [*cmd[:-2], cmd[-1]]  # noqa: SIM115
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=TOOL_ENV, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(cmd[:3])} ... exited {code}:\n{tail}")
    if stdin is not None:
        stdin.close()
    return Run(seconds, usage.ru_maxrss / 1024, code, usage.ru_utime + usage.ru_stime)


def paired(commands: dict[str, list[str]], cwd: Path, repeat: int, label: str) -> dict:
    """Interleaved runs of each command: one warm-up each, then ``repeat`` rounds."""
    for cmd in commands.values():
        measure(cmd, cwd)
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for round_ in range(1, repeat + 1):
        log(f"{label}: round {round_}/{repeat}")
        for name, cmd in commands.items():
            runs[name].append(measure(cmd, cwd))
    return runs


def summary(runs: list[Run], files: int, size: int) -> dict:
    seconds = statistics.median(r.seconds for r in runs)
    return {
        "median_s": seconds,
        "min_s": min(r.seconds for r in runs),
        "max_s": max(r.seconds for r in runs),
        "files_per_s": files / seconds,
        "mb_per_s": size / 1e6 / seconds,
        "peak_rss_mb": max(r.rss_mb for r in runs),
        "exit_codes": sorted({r.exit_code for r in runs}),
    }


def ratio(slow: list[Run], fast: list[Run]) -> float:
    """Median over rounds of slow/fast time (paired), so drift hits both sides alike."""
    return statistics.median(s.seconds / f.seconds for s, f in zip(slow, fast, strict=True))


def corpus(name: str, count: int, seed: int, stream: bool) -> Path:
    """A corpus directory, regenerated when its parameters or the generator changed."""
    sources = b"".join((HERE / f).read_bytes() for f in ("generate_corpus.py", "yaml_style.py"))
    stamp = f"{count} {seed} {stream} {hashlib.sha256(sources).hexdigest()}"
    out = HERE / "corpus" / name
    if (out / ".stamp").is_file() and (out / ".stamp").read_text() == stamp:
        return out
    log(f"generating {name} ({count} documents)")
    shutil.rmtree(out, ignore_errors=True)
    if stream:
        generate_corpus.write_stream(out / "stream.yaml", count, seed)
    else:
        generate_corpus.write_files(out, count, seed)
    (out / ".stamp").write_text(stamp)
    return out


def yaml_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))


def probe(tool: str, script: str, target: Path) -> dict:
    """Which YAML library the tool runs with and whether it parsed ``target`` in C."""
    dist, module, cls, c_attr = PARSERS[tool]
    args = (
        ["check", str(target)] if tool == "nimlint" else ["--schemafile", str(SCHEMA), str(target)]
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "probe.json"
        cmd = [interpreter(script), "-c", PROBE, str(out), dist, module, cls, c_attr, tool, *args]
        proc = subprocess.run(cmd, env=TOOL_ENV, capture_output=True, check=False)
        if proc.returncode not in (0, 1) or not out.exists():
            return {"library": dist, "c_available": None, "pure_parser_instances": None}
        return json.loads(out.read_text())


def machine(tools: dict[str, str], target: Path) -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {
        name: subprocess.run(
            [path, "--version"], env=TOOL_ENV, capture_output=True, text=True
        ).stdout.strip()
        for name, path in tools.items()
    }
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "load_before": os.getloadavg()[0],
        "tools": {name: {"path": path, "version": versions[name]} for name, path in tools.items()},
        "yaml": {name: probe(name, path, target) for name, path in tools.items()},
    }


def compare(tools: dict[str, str], directory: Path, files: list[str], repeat: int) -> dict:
    size = sum((directory / f).stat().st_size for f in files)
    commands = {
        "nimlint": [tools["nimlint"], "check", *files],
        "check-jsonschema": [tools["check-jsonschema"], "--schemafile", str(SCHEMA), *files],
    }
    runs = paired(commands, directory, repeat, f"{len(files)} files")
    return {
        "files": len(files),
        "bytes": size,
        "runs": {name: [asdict(r) for r in rs] for name, rs in runs.items()},
        "summary": {name: summary(rs, len(files), size) for name, rs in runs.items()},
        "ratio_cjs_over_nimlint": ratio(runs["check-jsonschema"], runs["nimlint"]),
    }


def streams(tools: dict[str, str], inputs: dict[str, tuple[Path, int]], repeat: int) -> dict:
    """nimlint on each (stream file, document count): throughput and peak RSS."""
    commands = {name: [tools["nimlint"], "check", str(path)] for name, (path, _) in inputs.items()}
    runs = paired(commands, HERE, repeat, "streams " + "/".join(inputs))
    result = {}
    for name, (path, docs) in inputs.items():
        size = path.stat().st_size
        result[name] = {
            "documents": docs,
            "bytes": size,
            "runs": [asdict(r) for r in runs[name]],
            "summary": summary(runs[name], docs, size),
        }
    return result


def formats(tools: dict[str, str], directory: Path, files: list[str], repeat: int) -> dict:
    """nimlint in text, json and sarif against check-jsonschema on the same files: CI's
    formats must cost no more than text."""
    size = sum((directory / f).stat().st_size for f in files)
    commands = {fmt: [tools["nimlint"], "check", "--format", fmt, *files] for fmt in FORMATS} | {
        "check-jsonschema": [tools["check-jsonschema"], "--schemafile", str(SCHEMA), *files]
    }
    runs = paired(commands, directory, repeat, f"formats, {len(files)} files")
    return {
        "files": len(files),
        "runs": {name: [asdict(r) for r in rs] for name, rs in runs.items()},
        "summary": {name: summary(rs, len(files), size) for name, rs in runs.items()},
        "over_text": {fmt: ratio(runs[fmt], runs["text"]) for fmt in FORMATS},
        "ratio_cjs_over_nimlint": {
            fmt: ratio(runs["check-jsonschema"], runs[fmt]) for fmt in FORMATS
        },
    }


FORMATS = ("text", "json", "sarif")
FIX_HEAD = 'metadata:\n  name: llama\n  projectId: "4501"\nspec:\n  image: nvcr.io/nim/x:1\n'


def fixable_file(count: int) -> Path:
    """A body with ``count`` fixable values: environment variables written as numbers (S001:
    quote them), a third of them in flow style."""
    out = HERE / "corpus" / f"fixable-{count}.yaml"
    lines = [FIX_HEAD, "  environmentVariables:\n"]
    for i in range(count):
        if i % 3:
            lines.append(f"    - name: VAR_{i}\n      value: {i}\n")
        else:
            lines.append(f"    - {{name: VAR_{i}, value: {i}}}\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(lines))
    return out


def fixes(nimlint: str, counts: tuple[int, ...], repeat: int) -> list[dict]:
    """``check`` and ``check --fix`` (standard input to standard output: the file stays as it
    is) on files of fixable values; and the fixable findings one ``--fix`` run leaves."""
    result = []
    for count in counts:
        path = fixable_file(count)
        commands = {
            "check": [nimlint, "check", str(path)],
            "fix": [nimlint, "check", "--fix", "--stdin-filename", path.name, f"<{path}", "-"],
        }
        runs = paired(commands, HERE, repeat, f"--fix, {count} fixable values")
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / path.name
            shutil.copyfile(path, copy)
            subprocess.run(
                [nimlint, "check", "--fix", str(copy)], env=TOOL_ENV, capture_output=True
            )
            cmd = [nimlint, "check", "--format", "json", str(copy)]
            report = json.loads(subprocess.run(cmd, env=TOOL_ENV, capture_output=True).stdout)
        left = sum(1 for f in report["findings"] if f.get("fix", {}).get("applicability") == "safe")
        result.append(
            {
                "values": count,
                "bytes": path.stat().st_size,
                "runs": {name: [asdict(r) for r in rs] for name, rs in runs.items()},
                "summary": {name: summary(rs, 1, path.stat().st_size) for name, rs in runs.items()},
                "fix_over_check": ratio(runs["fix"], runs["check"]),
                "fixable_left": left,
            }
        )
    return result


def stream_refused(nimlint: str, path: Path) -> bool:
    """Whether nimlint declined to lint ``path`` (P006: over its per-file limits)."""
    cmd = [nimlint, "check", "--format", "json", "--select", "P006", str(path)]
    proc = subprocess.run(cmd, env=TOOL_ENV, capture_output=True, text=True)
    return any(f["rule"] == "P006" for f in json.loads(proc.stdout)["findings"])


def jobs_supported(nimlint: str, target: Path) -> bool:
    cmd = [nimlint, "check", "--jobs", "2", str(target)]
    proc = subprocess.run(cmd, env=TOOL_ENV, capture_output=True)
    return proc.returncode in (0, 1)


def jobs(nimlint: str, directory: Path, files: list[str], repeat: int) -> dict:
    size = sum((directory / f).stat().st_size for f in files)
    commands = {f"jobs{n}": [nimlint, "check", "--jobs", str(n), *files] for n in (1, 2)}
    runs = paired(commands, directory, repeat, f"--jobs 1/2, {len(files)} files")
    return {
        "files": len(files),
        "runs": {name: [asdict(r) for r in rs] for name, rs in runs.items()},
        "summary": {name: summary(rs, len(files), size) for name, rs in runs.items()},
        "speedup_jobs2": ratio(runs["jobs1"], runs["jobs2"]),
    }


def yes_no(value: bool | None) -> str:
    return "unknown" if value is None else "yes" if value else "no"


def stream_lines(stream: dict | None) -> list[str]:
    if stream is None:
        return ["Skipped: nimlint declined a stream (P006, over its per-file limits).", NO_STREAMS]
    lines = [
        "| Stream | Documents | Size (MB) | nimlint (s) | MB/s | docs/s | nimlint RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in stream.items():
        s = row["summary"]
        lines.append(
            f"| {name} | {row['documents']:,} | {row['bytes'] / 1e6:.1f} | {s['median_s']:.2f} "
            f"| {s['mb_per_s']:.2f} | {s['files_per_s']:,.0f} | {s['peak_rss_mb']:.0f} |"
        )
    growth = stream["4x"]["summary"]["peak_rss_mb"] / stream["1x"]["summary"]["peak_rss_mb"]
    return [*lines, "", f"Peak RSS 4x / 1x stream: {growth:.2f} (1.00 = flat memory).", NO_STREAMS]


def environment(result: dict) -> list[str]:
    m = result["machine"]
    nim, cjs = m["yaml"]["nimlint"], m["yaml"]["check-jsonschema"]
    return [
        "## Environment",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable)",
        f"- Python: {m['python']}",
        *(f"- {t['version']} ({t['path']})" for t in m["tools"].values()),
        f"- nimlint YAML: {nim['library']}, libyaml (`yaml.__with_libyaml__`): "
        f"{yes_no(nim['c_available'])}, pure-Python scanner instances on one file: "
        f"{nim['pure_parser_instances']}",
        f"- check-jsonschema YAML: {cjs['library']}, C parser (ruamel.yaml.clib): "
        f"{yes_no(cjs['c_available'])}, pure-Python parser instances on one file: "
        f"{cjs['pure_parser_instances']}",
        f"- 1-minute load average before/after: {m['load_before']:.2f} / {m['load_after']:.2f}",
        f"- {result['repeat']} paired rounds per scenario (interleaved, after one warm-up each); "
        "median wall time, max peak RSS; nimlint runs with its default --jobs",
        "- Bytecode: both tools run with `PYTHONPYCACHEPREFIX=benchmarks/corpus/pycache` and "
        "without `PYTHONDONTWRITEBYTECODE`, so .pyc files are cached as after a wheel install",
    ]


def report(result: dict) -> str:
    lines = [
        *environment(result),
        "",
        "## nimlint vs check-jsonschema",
        "",
        "| Files | nimlint (s) | nimlint files/s | nimlint RSS (MB) "
        "| check-jsonschema (s) | check-jsonschema files/s | check-jsonschema RSS (MB) "
        "| check-jsonschema / nimlint time |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["compare"]:
        a, b = row["summary"]["nimlint"], row["summary"]["check-jsonschema"]
        lines.append(
            f"| {row['files']:,} | {a['median_s']:.3f} | {a['files_per_s']:,.0f} "
            f"| {a['peak_rss_mb']:.0f} | {b['median_s']:.3f} | {b['files_per_s']:,.0f} "
            f"| {b['peak_rss_mb']:.0f} | {row['ratio_cjs_over_nimlint']:.2f}x |"
        )
    lines += ["", "## Multi-document stream (nimlint only)", "", *stream_lines(result["stream"])]
    lines += ["", "## nimlint --jobs 1 vs --jobs 2", ""]
    if result["jobs"] is None:
        lines.append("Skipped: `nimlint check --jobs 2` was not accepted.")
    else:
        lines += [
            "| Files | --jobs 1 (s) | --jobs 2 (s) | --jobs 1 RSS (MB) | --jobs 2 RSS (MB) "
            "| speedup |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for row in result["jobs"]:
            one, two = row["summary"]["jobs1"], row["summary"]["jobs2"]
            lines.append(
                f"| {row['files']:,} | {one['median_s']:.3f} | {two['median_s']:.3f} "
                f"| {one['peak_rss_mb']:.0f} | {two['peak_rss_mb']:.0f} "
                f"| {row['speedup_jobs2']:.2f}x |"
            )
    lines += fix_lines(result.get("fixes"), result.get("formats"))
    return "\n".join(lines)


def fix_lines(fixed: list | None, formatted: dict | None) -> list[str]:
    lines = []
    if fixed:
        lines += [
            "",
            "## --fix (nimlint only)",
            "",
            "| Fixable values | File (kB) | check (s) | --fix (s) | --fix / check "
            "| fixable findings left after one run |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for row in fixed:
            check, fix = row["summary"]["check"], row["summary"]["fix"]
            lines.append(
                f"| {row['values']:,} | {row['bytes'] / 1000:.0f} | {check['median_s']:.3f} "
                f"| {fix['median_s']:.3f} | {row['fix_over_check']:.2f}x | {row['fixable_left']} |"
            )
    if formatted:
        lines += [
            "",
            f"## Report formats, {formatted['files']:,} files",
            "",
            "| Format | nimlint (s) | / text | check-jsonschema (s) "
            "| check-jsonschema / nimlint time |",
            "|---|---:|---:|---:|---:|",
        ]
        cjs = formatted["summary"]["check-jsonschema"]["median_s"]
        for fmt in FORMATS:
            lines.append(
                f"| {fmt} | {formatted['summary'][fmt]['median_s']:.3f} "
                f"| {formatted['over_text'][fmt]:.2f}x | {cjs:.3f} "
                f"| {formatted['ratio_cjs_over_nimlint'][fmt]:.2f}x |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="paired rounds per scenario")
    parser.add_argument("--quick", action="store_true", help="skip 20,000 files; smaller streams")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--json", type=Path, metavar="OUT", help="save raw numbers as JSON")
    parser.add_argument(
        "--only",
        choices=("fixes",),
        help="run only these scenarios: fixes (--fix on fixable values, report formats)",
    )
    args = parser.parse_args(argv)

    tools = {name: tool_path(name) for name in ("nimlint", "check-jsonschema")}
    base = corpus("files-2000", 2000, args.seed, stream=False)
    base_files = yaml_files(base)
    one = base / base_files[0]
    result: dict = {"machine": machine(tools, one), "repeat": args.repeat, "quick": args.quick}
    result["fixes"] = fixes(tools["nimlint"], (100, 1000), args.repeat)
    result["formats"] = formats(tools, base, base_files, args.repeat)
    if args.only == "fixes":
        result["machine"]["load_after"] = os.getloadavg()[0]
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n")
        print("\n".join([*environment(result), *fix_lines(result["fixes"], result["formats"])]))
        return 0

    result["compare"] = [
        compare(tools, base, base_files[:n], args.repeat) for n in (1, 200, len(base_files))
    ]
    if args.quick:
        log("--quick: skipping the 20,000-file scenario")
    else:
        big = corpus("files-20000", 20000, args.seed, stream=False)
        result["compare"].append(compare(tools, big, yaml_files(big), args.repeat))

    # 4x 2,500 documents is about 21 MB: nimlint's 10,000 documents and 32 MiB per file.
    docs = 1000 if args.quick else 2500
    inputs = {
        f"{k}x": (
            corpus(f"stream-{k * docs}", k * docs, args.seed, stream=True) / "stream.yaml",
            k * docs,
        )
        for k in (1, 4)
    }
    refused = [name for name, (path, _) in inputs.items() if stream_refused(tools["nimlint"], path)]
    result["stream"] = None if refused else streams(tools, inputs, args.repeat)

    result["jobs"] = None
    if jobs_supported(tools["nimlint"], one):
        result["jobs"] = [
            jobs(tools["nimlint"], base, base_files[:n], args.repeat) for n in (200, 2000)
        ]
    else:
        log("nimlint does not accept --jobs: skipping the --jobs scenario")

    result["machine"]["load_after"] = os.getloadavg()[0]
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
