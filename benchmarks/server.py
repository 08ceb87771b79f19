"""Language server benchmark: client-observed didChange -> publishDiagnostics, and the server's
memory over many edits.

A real client over stdio (JSON-RPC with Content-Length framing, no library): it starts
``nimlint server``, opens a 150-line create request, then sends one incremental edit at a
time (a value retyped, so every edit changes the text and the findings stay the same size)
and waits for the diagnostics of that version before the next. Then the same for a 1 MiB
stream of documents. Prints p50/p95/max latency and the server's RSS (VmRSS from /proc) after
the first lint and at the end. Measures, never asserts.

    python benchmarks/server.py                      # 2,000 edits, 20 on the 1 MiB stream
    python benchmarks/server.py --edits 10000 --json server.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "llama3-8b-instruct.yaml"
TIMEOUT = 120.0


class Client:
    """``nimlint server`` over pipes; a reader thread notes when each diagnostics arrive."""

    def __init__(self, folder: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nimlint", "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=folder,
        )
        self.next_id = 0
        self.arrived: dict[tuple[str, int], float] = {}
        self.responses: dict[int, dict] = {}
        self.ready = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {"processId": os.getpid(), "capabilities": {}})
        self.notify("initialized", {})

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            message = json.loads(stream.read(length))
            now = time.perf_counter()
            with self.ready:
                if message.get("method") == "textDocument/publishDiagnostics":
                    params = message["params"]
                    self.arrived[params["uri"], params.get("version")] = now
                elif "id" in message and "method" not in message:
                    self.responses[message["id"]] = message
                self.ready.notify_all()

    def notify(self, method: str, params) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params) -> dict:
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        with self.ready:
            if not self.ready.wait_for(lambda: ident in self.responses, TIMEOUT):
                raise TimeoutError(method)
            return self.responses.pop(ident)

    def wait(self, uri: str, version: int) -> float:
        with self.ready:
            if not self.ready.wait_for(lambda: (uri, version) in self.arrived, TIMEOUT):
                raise TimeoutError(f"no diagnostics for version {version}")
            return self.arrived.pop((uri, version))

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def close(self) -> int:
        self.request("shutdown", None)
        self.notify("exit", None)
        return self.process.wait(TIMEOUT)


def spec_150_lines() -> str:
    """The llama3 example with environment variables added up to 150 lines."""
    lines = EXAMPLE.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "environmentVariables:") + 1
    extra: list[str] = []
    count = 0
    while len(lines) + len(extra) + 2 <= 150:
        extra += [f"    - name: EXTRA_SETTING_{count}", f'      value: "{count}"']
        count += 1
    extra += ["    # padding"] * (150 - len(lines) - len(extra))
    return "\n".join(lines[:at] + extra + lines[at:]) + "\n"


def stream_1mib(spec: str) -> str:
    parts, size = [], 0
    while size < 1024 * 1024:
        document = spec.replace("llama3-8b-instruct", f"llama3-{len(parts)}", 1)
        parts.append(document)
        size += len(document) + 4
    return "---\n".join(parts)


def run_edits(client: Client, path: Path, text: str, edits: int, every: int) -> dict:
    """Open ``text`` as ``path``, retype a replicas value ``edits`` times; latencies in ms."""
    uri = path.as_uri()
    sent = time.perf_counter()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    first = (client.wait(uri, 1) - sent) * 1000
    rss = [client.rss_kib()]
    line = text[: text.index("replicas: 1")].count("\n")
    column = len("  replicas: ")
    latencies = []
    for version in range(2, edits + 2):
        digit = str(version % 7 + 1)  # replicas 1..7: valid, and a change each time
        change = {
            "range": {
                "start": {"line": line, "character": column},
                "end": {"line": line, "character": column + 1},
            },
            "text": digit,
        }
        sent = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
        )
        latencies.append((client.wait(uri, version) - sent) * 1000)
        if (version - 1) % every == 0:
            rss.append(client.rss_kib())
    rss.append(client.rss_kib())
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    ordered = sorted(latencies)
    return {
        "lines": text.count("\n"),
        "bytes": len(text.encode()),
        "edits": edits,
        "open_ms": round(first, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)], 1),
        "max_ms": round(ordered[-1], 1),
        "rss_first_mib": round(rss[0] / 1024, 1),
        "rss_warm_mib": round(rss[1] / 1024, 1),  # after the first tenth of the edits
        "rss_last_mib": round(rss[-1] / 1024, 1),
        "rss_max_mib": round(max(rss) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=2000, help="edits of the 150-line spec")
    parser.add_argument("--stream-edits", type=int, default=20, help="edits of the 1 MiB stream")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    spec = spec_150_lines()
    with tempfile.TemporaryDirectory() as folder:
        client = Client(Path(folder))
        results = {
            "spec": run_edits(
                client, Path(folder, "spec.yaml"), spec, args.edits, max(args.edits // 10, 1)
            ),
            "stream": run_edits(
                client,
                Path(folder, "stream.yaml"),
                stream_1mib(spec),
                args.stream_edits,
                max(args.stream_edits // 10, 1),
            ),
        }
        code = client.close()
    results["machine"] = f"{platform.python_implementation()} {platform.python_version()}, " + (
        f"{os.cpu_count()} cores"
    )
    print(f"exit code after shutdown/exit: {code}")
    print("| buffer | edits | open | p50 | p95 | max | RSS open -> 10% -> last (max) |")
    print("|---|---|---|---|---|---|---|")
    for name, r in (("150-line spec", results["spec"]), ("1 MiB stream", results["stream"])):
        print(
            f"| {name} ({r['lines']} lines) | {r['edits']:,} | {r['open_ms']} ms"
            f" | {r['p50_ms']} ms | {r['p95_ms']} ms | {r['max_ms']} ms"
            f" | {r['rss_first_mib']} -> {r['rss_warm_mib']} -> {r['rss_last_mib']} MiB"
            f" ({r['rss_max_mib']}) |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
