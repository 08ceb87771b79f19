"""Limits and exact semantics through the real CLI: memory, time, documents, suppressions, lines.

Every test here failed on nimlint 0.1.0. Memory is bounded with RLIMIT_AS in the child and time
with a generous subprocess timeout: a regression fails (MemoryError, timeout), nothing is timed.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from nimlint.capping import MAX_PER_FILE
from nimlint.loading.source import MAX_FILE_BYTES
from nimlint.loading.yaml_stream import MAX_CHARACTERS, MAX_DOCUMENTS
from nimlint.messages import MAX_QUOTED
from nimlint.report import FORMATS

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "examples" / "llama3-8b-instruct.yaml").read_text(encoding="utf-8")
BAD = GOOD.replace("  replicas: 1", "  replicas: -1")  # one S004
REPLICAS_LINE = GOOD.splitlines().index("  replicas: 1") + 1
GIB = 1 << 30


def _one_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``nimlint check ARGS`` in under 1 GiB of address space; never a traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "nimlint", "check", *args],
        capture_output=True,
        timeout=timeout,
        preexec_fn=_one_gib,
        cwd=ROOT,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 1), stderr[-2000:]
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[-2000:]
    return proc


def findings(*args: str, timeout: float = 60) -> list[dict]:
    return json.loads(run("--format", "json", *args, timeout=timeout).stdout)["findings"]


def placed(found: list[dict], rule: str) -> list[int]:
    return [f["line"] for f in found if f["rule"] == rule]


# --- alias amplification and big files ----------------------------------------------------


def test_a_long_value_repeated_by_aliases_is_refused(tmp_path: Path) -> None:
    # 1 MB behind an anchor, 2,000 aliases in a field the schema rejects: 9.8 GB on 0.1.0.
    path = tmp_path / "amplified.yaml"
    path.write_text(
        GOOD.replace(
            "spec:\n",
            f"x-big: &big {'x' * 1_000_000}\nspec:\n  labels: [{', '.join(['*big'] * 2000)}]\n",
            1,
        )
    )
    found = findings(str(path))
    assert [(f["rule"], f["line"]) for f in found] == [("P006", 3)]  # where the document starts
    assert f"{MAX_CHARACTERS:,} characters" in found[0]["message"]


def test_a_file_near_32_mib_is_linted_in_bounded_memory(tmp_path: Path) -> None:
    # Under the character limit with aliases, near the size limit without: all findings come,
    # each quoting at most a short excerpt of the multi-megabyte values.
    size = MAX_CHARACTERS // 6 - 1000  # the anchored value and five aliases
    aliased = tmp_path / "aliased.yaml"
    aliased.write_text(
        f"x-big: &big {'x' * size}\nmetadata: {{name: *big, projectId: '1'}}\n"
        "spec:\n  image: [*big, *big]\n  labels: *big\n  annotations: {a: *big}\n"
    )
    large = tmp_path / "large.yaml"
    part = (MAX_FILE_BYTES - 1000) // 4
    large.write_text(
        f"metadata: {{name: {'n' * part}, projectId: '1'}}\n"
        f"spec:\n  image: [{'i' * part}]\n  labels: {'l' * part}\n  nodePools: {{a: {'p' * part}}}\n"  # noqa: E501
    )
    found = findings(str(aliased), str(large), timeout=120)
    for path in (aliased, large):
        lines = {(f["rule"], f["line"]) for f in found if f["file"] == str(path)}
        assert {("S001", 4), ("S001", 5)} <= lines, (path, lines)
    assert max(len(f["message"]) for f in found) < 3 * MAX_QUOTED


# --- linear-time patterns -----------------------------------------------------------------


def test_a_hundred_thousand_digit_quantity(tmp_path: Path) -> None:
    # The document's quantity pattern backtracked quadratically: 40,000 digits took 17 s.
    values = ["1" * 100_000 + "!", "1" * 50_000 + "e" + "1" * 50_000 + "x", "1" * 100_000 + "Kii"]
    docs = [GOOD.replace("cpuMemoryRequest: 16Gi", f"cpuMemoryRequest: '{v}'") for v in values]
    path = tmp_path / "quantity.yaml"
    path.write_text("---\n".join(docs))
    found = findings(str(path))
    line = GOOD.splitlines().index("    cpuMemoryRequest: 16Gi") + 1
    step = len(GOOD.splitlines()) + 1
    assert placed(found, "S005") == [line, line + step, line + 2 * step]  # over 63 characters
    assert placed(found, "R005") == [line + 2 * step]  # the pattern accepts it, Kubernetes not
    assert max(len(f["message"]) for f in found) < 3 * MAX_QUOTED


def test_long_values_in_every_field_keep_messages_short(tmp_path: Path) -> None:
    # R005 printed a 1,000,000-character line; every message quotes at most ~200 characters.
    long = "a" * 1_000_000
    swaps = {
        "name: llama3-8b-instruct\n": f"name: {long}\n",
        "image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3": f"image: nvcr.io/{long}:1",
        "cpuMemoryRequest: 16Gi": f"cpuMemoryRequest: {'1' * 1_000_000}mi",
        "name: NIM_LOG_LEVEL": f"name: {long.upper()}_TOKEN",
        "serviceType: ClusterIP": f"serviceType: {long}",
        "  replicas: 1\n": f"  replicas: 1\n  ? {long}\n  : 1\n",
        "priorityClass: high": f"priorityClass: !!int {long}",
    }
    path = tmp_path / "long.yaml"
    path.write_text("---\n".join(GOOD.replace(old, new) for old, new in swaps.items()))
    found = findings(str(path))
    # The long image is S005's alone (over the document's 253 characters), not also I002's.
    assert {"K001", "S005", "R005", "V009", "S002", "S008", "K010", "P005"} <= {
        f["rule"] for f in found
    }
    assert max(len(f["message"]) for f in found) < 3 * MAX_QUOTED


def test_long_inputs_to_every_pattern_end_in_linear_time() -> None:
    # Hypothesis-built 100,000-character inputs for every regular expression that sees user
    # input, in a child process: a quadratic pattern makes it time out.
    proc = subprocess.run(
        [sys.executable, "-m", "tests.long_inputs"],
        capture_output=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout.decode()[-3000:] + proc.stderr.decode()[-3000:]


# --- documents per file -------------------------------------------------------------------


def test_documents_per_file_are_capped(tmp_path: Path) -> None:
    # 2,000,000 empty documents ran out of memory: the first MAX_DOCUMENTS are read (empty
    # ones are ignored, as kubectl does), the cap is reported once, where the next starts.
    path = tmp_path / "stream.yaml"
    path.write_text("---\n" * 2_000_000)
    found = findings(str(path))
    assert placed(found, "P006") == [MAX_DOCUMENTS + 1]
    assert len(found) == 1


def test_documents_past_the_cap_are_not_linted(tmp_path: Path) -> None:
    # Each of the first MAX_DOCUMENTS bodies is linted; the cap is reported where the next starts.
    body = "---\nmetadata: {name: a, projectId: 1}\n"  # one S001 each (projectId is a string)
    path = tmp_path / "stream.yaml"
    path.write_text(body * (MAX_DOCUMENTS + 5))
    report = json.loads(run("--format", "json", "--select", "S001,P006", str(path)).stdout)
    # The first MAX_PER_FILE findings are reported; the rest are counted (nimlint.capping).
    assert placed(report["findings"], "S001") == list(range(2, 2 * MAX_PER_FILE + 1, 2))
    assert report["summary"]["omitted"] == MAX_DOCUMENTS - MAX_PER_FILE + 1  # with the P006
    found = findings("--select", "P006", str(path))
    assert placed(found, "P006") == [2 * MAX_DOCUMENTS + 1]


# --- lone surrogates ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "runai"])  # runai needs a policy
def test_lone_surrogates_are_a_finding_on_their_file(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "a-good.yaml").write_text(GOOD)
    (tmp_path / "b-bad.yaml").write_text(BAD)
    (tmp_path / "c-value.json").write_text('{"metadata": {"name": "a\\ud800b"}}')
    (tmp_path / "d-key.json").write_text('{"spec": {\n  "\\udfff": 1}}')
    (tmp_path / "e-pair.json").write_text(
        '{"metadata": {"name": "\\ud83d\\ude00", "x": "\\\\ud800"}}'
    )
    proc = run("--format", fmt, str(tmp_path))
    assert proc.returncode == 1
    found = findings(str(tmp_path))
    by_file = {(Path(f["file"]).name, f["rule"], f["line"]) for f in found if f["rule"] != "S006"}
    assert ("b-bad.yaml", "S004", REPLICAS_LINE) in by_file
    assert {("c-value.json", "P007", 1), ("d-key.json", "P007", 2)} <= by_file
    assert "P007" not in {r for name, r, _ in by_file if name == "e-pair.json"}
    if fmt in ("text", "concise", "gcc", "github"):  # the escape is named, as written
        assert "\\ud800" in proc.stdout.decode("utf-8")


# --- suppressions -------------------------------------------------------------------------

BLOCK = """  command: |
    echo start # nimlint: disable-file
    echo "# nimlint: disable=S004"
  args: ["# nimlint: disable-file", '# nimlint: disable=S004']
"""


def test_suppressions_inside_strings_are_text(tmp_path: Path) -> None:
    path = tmp_path / "block.yaml"
    path.write_text(
        BAD.replace("  replicas: -1\n", "  replicas: -1  # '# nimlint: disable'\n" + BLOCK)
    )
    found = findings("--select", "S004,X", str(path))
    assert [(f["rule"], f["line"]) for f in found] == [("S004", REPLICAS_LINE)]


@pytest.mark.parametrize(
    "comment",
    [
        "# nimlint: disable=S0004",  # ids match in any case (s004 is S004), not by likeness
        "# nimlint: disable:S004",
        "# nimlint: disable=S00l",
        "# nimlint: disable S004",
        "# nimlint: disable-file=Q0",
        "# nimlint: disabled",
    ],
)
def test_malformed_suppressions_are_reported_and_silence_nothing(
    tmp_path: Path, comment: str
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BAD.replace("  replicas: -1\n", f"  replicas: -1  {comment}\n"))
    found = findings(str(path))
    assert sorted((f["rule"], f["line"]) for f in found) == [
        ("S004", REPLICAS_LINE),
        ("X003", REPLICAS_LINE),
    ]


def test_valid_ids_beside_an_unknown_one_still_apply(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        BAD.replace("  replicas: -1\n", "  replicas: -1  # nimlint: disable=S004,S0O4\n")
    )
    found = findings(str(path))
    assert [(f["rule"], f["line"]) for f in found] == [("X003", REPLICAS_LINE)]
    assert '"S0O4"' in found[0]["message"]


def test_a_suppression_of_an_ignored_rule_is_not_unused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("  replicas: 1\n", "  replicas: 1  # nimlint: disable=S004\n"))
    assert findings("--ignore", "S004", str(path)) == []
    assert placed(findings(str(path)), "X001") == [REPLICAS_LINE]


# --- lines are lines ----------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_do_not_shift_lines(tmp_path: Path, separator: str) -> None:
    text = BAD.replace(
        "  imagePullPolicy: IfNotPresent\n",
        f"  imagePullPolicy: IfNotPresent  # a comment{separator}with a separator\n"
        f'  ngcAuthSecret: "ngc{separator}secret"\n',
    ).replace("  ngcAuthSecret: ngc-api-secret\n", "")
    path = tmp_path / "lines.yaml"
    path.write_text(text)
    found = findings("--select", "P,S", str(path))
    assert [(f["rule"], f["line"]) for f in found] == [
        ("P013", 8),  # in the comment: a line break to YAML 1.1 (issue 19 item 13)
        ("S003", 9),  # the secret name, as read: "ngc<separator>secret" (quoted: no P013)
        ("S004", REPLICAS_LINE),
    ]
    assert "secret" in found[1]["message"]  # one value (YAML 1.2), shown escaped
