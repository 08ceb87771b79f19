"""Hostile input through the real CLI: never a crash, never a hang, never code execution."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from nimlint.capping import MAX_PER_FILE
from nimlint.loading.yaml_stream import MAX_DEPTH, MAX_DOCUMENTS

ROOT = Path(__file__).resolve().parents[1]
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
GOOD = (ROOT / "examples" / "llama3-8b-instruct.yaml").read_text(encoding="utf-8")
REPLICAS_LINE = GOOD.splitlines().index("  replicas: 1") + 1
BAD = GOOD.replace("  replicas: 1", "  replicas: -1")  # one S004, at REPLICAS_LINE


def nimlint(*args: str, stdin: bytes = b"", timeout: float = 30) -> tuple[int, dict, str]:
    """Run ``nimlint check --format json ARGS``: (exit code, JSON report, stderr)."""
    command = [sys.executable, "-m", "nimlint", "check", "--format", "json", *args]
    proc = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 1, 2), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    if proc.returncode in (0, 1):
        jsonschema.validate(report, REPORT_SCHEMA)
        assert "X002" not in {f["rule"] for f in report["findings"]}  # a rule crashed
    return proc.returncode, report, stderr


def lint_file(path: Path, content: bytes | str, timeout: float = 30) -> tuple[int, list[dict]]:
    """Write ``content`` to ``path``, lint it: (exit code, findings)."""
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    code, report, _ = nimlint(str(path), timeout=timeout)
    return code, report["findings"]


def rules(findings: list[dict]) -> set[str]:
    return {f["rule"] for f in findings}


def at(findings: list[dict], rule: str) -> list[tuple[int, str]]:
    """(line, pointer) of each finding of ``rule``."""
    return [(f["line"], f["pointer"]) for f in findings if f["rule"] == rule]


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


# --- expansion and nesting ----------------------------------------------------------------


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    # Unrefused, it never ends: lint_file's subprocess timeout bounds the test, untimed.
    code, findings = lint_file(tmp_path / "bomb.yaml", billion_laughs())
    assert code == 1 and at(findings, "P006") == [(1, "")]


def test_aliases_used_as_keys_are_counted(tmp_path: Path) -> None:
    # 9**5 nodes per alias, used as a key a thousand times: 15 kB that took 20 s unchecked.
    text = billion_laughs(levels=4) + "m:\n" + "".join(f"  ? *a4\n  : {i}\n" for i in range(1000))
    code, findings = lint_file(tmp_path / "keys.yaml", text)
    assert code == 1 and rules(findings) == {"P006"}


DEEP = 50_000
NESTED = {
    "flow-sequences.yaml": "[" * DEEP + "]" * DEEP,
    "flow-mappings.yaml": "{a: " * DEEP + "1" + "}" * DEEP,
    "block-sequences.yaml": "- " * DEEP + "x",
    "mixed.yaml": "a: " + "[{b: " * (DEEP // 2) + "1" + "}]" * (DEEP // 2),
    "arrays.json": "[" * DEEP + "]" * DEEP,
    "objects.json": '{"a": ' * DEEP + "1" + "}" * DEEP,
    # Block mappings need one more space per level: 50,000 levels would be over a gigabyte,
    # so these stop at 1,500 (1.1 MB), past the depth limit all the same.
    "block-mappings.yaml": "".join(" " * i + "a:\n" for i in range(1_500)) + " " * 1_500 + "b",
}


@pytest.mark.parametrize("name", NESTED)
def test_deep_nesting_is_refused(tmp_path: Path, name: str) -> None:
    code, findings = lint_file(tmp_path / name, NESTED[name] + "\n")
    assert code == 1 and rules(findings) == {"P006"}


def test_nesting_just_under_the_limit_is_linted(tmp_path: Path) -> None:
    # MAX_DEPTH levels in all (root, spec, the lists): linted; one more list is refused.
    deep_list = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    text = f"metadata: {{name: x, projectId: '1'}}\nspec:\n  labels: {deep_list}\n"
    code, findings = lint_file(tmp_path / "deep.yaml", text)
    assert code == 1 and (3, "/spec/labels/0") in at(findings, "S001")
    code, findings = lint_file(tmp_path / "over.yaml", text.replace(deep_list, f"[{deep_list}]"))
    assert rules(findings) == {"P006"}


def test_deep_mapping_used_as_a_key(tmp_path: Path) -> None:
    depth = MAX_DEPTH - 2
    code, findings = lint_file(tmp_path / "key.yaml", "? " + "[" * depth + "]" * depth + "\n: c\n")
    assert code == 1 and at(findings, "P010") == [(1, "/" + "[" * 80)]


# --- bytes and encodings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        (b"metadata:\n  name: caf\xe9\n", 2, 12),  # Latin-1
        (b"spec: \xff\xfe\n", 1, 7),
        (b"a: \xed\xa0\x80\n", 1, 4),  # an encoded surrogate
        (b"a: \xc3\n", 1, 4),  # truncated sequence
    ],
)
def test_invalid_utf8_is_placed(tmp_path: Path, content: bytes, line: int, column: int) -> None:
    code, findings = lint_file(tmp_path / "bad.yaml", content)
    assert code == 1 and [(f["rule"], f["line"], f["column"]) for f in findings] == [
        ("P007", line, column)
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        b"metadata:\n  name: x\x00y\n",
        bytes(range(256)) * 4,
    ],
)
def test_binary_files(tmp_path: Path, content: bytes) -> None:
    code, findings = lint_file(tmp_path / "image.yaml", content)
    assert code == 1 and rules(findings) == {"P007"}


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_byte_order_marks(tmp_path: Path, bom: bytes, encoding: str) -> None:
    code, findings = lint_file(tmp_path / "good.yaml", bom + GOOD.encode(encoding))
    assert (code, findings) == (0, [])
    code, findings = lint_file(tmp_path / "bad.yaml", bom + BAD.encode(encoding))
    assert code == 1 and at(findings, "S004") == [(REPLICAS_LINE, "/spec/replicas")]


def test_odd_utf16_is_invalid_not_a_crash(tmp_path: Path) -> None:
    code, findings = lint_file(tmp_path / "odd.yaml", codecs.BOM_UTF16_LE + b"a\x00:")
    assert code == 1 and rules(findings) == {"P007"}


# --- tags are never constructed -----------------------------------------------------------


def test_python_tags_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    touch = f'["touch {marker}"]'
    text = "\n".join(
        [
            f"metadata: !!python/object/apply:os.system {touch}",
            f"spec: !!python/object/new:subprocess.check_call [{touch}]",
            "extra1: !!python/name:os.system",
            "extra2: !!python/module:os",
            f"extra3: !<tag:yaml.org,2002:python/object/apply:os.system> {touch}",
            "extra4: !!binary aGVsbG8=",
            "extra5: !custom {a: 1}",
        ]
    )
    code, findings = lint_file(tmp_path / "tags.yaml", text)
    assert code == 1 and len(at(findings, "P005")) == 7
    directive = f"%TAG !p! tag:yaml.org,2002:python/object/apply:\n---\n!p!os.system {touch}\n"
    code, findings = lint_file(tmp_path / "directive.yaml", directive)
    assert code == 1 and "P005" in rules(findings)
    assert not marker.exists()


# --- numbers and keys JSON cannot carry ---------------------------------------------------


def test_numbers_json_cannot_carry(tmp_path: Path) -> None:
    text = (
        "spec:\n"
        "  replicas: 99999999999999999999999\n"
        "  compute:\n"
        "    cpuCoreRequest: .nan\n"
        "    cpuCoreLimit: .inf\n"
        "    gpuPortionRequest: -.inf\n"
        "    gpuPortionLimit: 1e400\n"
        f"    gpuDevicesRequest: {'9' * 5000}\n"
    )
    code, findings = lint_file(tmp_path / "numbers.yaml", text)
    assert code == 1 and at(findings, "P011") == [
        (2, "/spec/replicas"),
        (4, "/spec/compute/cpuCoreRequest"),
        (5, "/spec/compute/cpuCoreLimit"),
        (6, "/spec/compute/gpuPortionRequest"),
        (7, "/spec/compute/gpuPortionLimit"),
        (8, "/spec/compute/gpuDevicesRequest"),
    ]
    assert all(len(f["message"]) < 200 for f in findings)


def test_json_numbers_beyond_every_limit(tmp_path: Path) -> None:
    # Python refuses int() of over 4,300 digits; that used to escape as an internal error.
    text = f'{{"spec": {{"replicas": {"9" * 5000}, "category": NaN}}}}'
    code, findings = lint_file(tmp_path / "numbers.json", text)
    assert code == 1 and at(findings, "P011") == [(1, "/spec/replicas"), (1, "/spec/category")]


def test_non_string_keys(tmp_path: Path) -> None:
    text = "1: x\n? [a, b]\n: c\nnull: x\n? {k: v}\n: d\nn: &n 5\n? *n\n: e\n"
    code, findings = lint_file(tmp_path / "keys.yaml", text)
    assert code == 1 and at(findings, "P010") == [
        (1, "/1"),
        (2, '/["a", "b"]'),
        (4, "/null"),
        (5, '/{"k": "v"}'),
        (8, "/5"),
    ]


def test_anchors_on_keys_can_be_aliased(tmp_path: Path) -> None:
    # The anchor is on the key "category", so the alias reads "category" (it was unknown).
    text = GOOD.replace("spec:\n", "spec:\n  &k category: x\n")
    text = text.replace("serviceType: ClusterIP", "serviceType: *k")
    _, findings = lint_file(tmp_path / "anchor.yaml", text)
    assert [(f["rule"], f["pointer"]) for f in findings] == [
        ("S002", "/spec/servingPort/serviceType")
    ]
    assert '"category"' in findings[0]["message"]


def test_merge_keys_are_applied(tmp_path: Path) -> None:
    text = (
        "x-base: &base\n  name: llama\n  projectId: '1'\n"
        "x-spec: &spec\n  replicas: -1\n  priorityClass: high\n"
        "metadata:\n  <<: *base\n"
        "spec:\n  <<: [*spec]\n  image: nvcr.io/nim/meta/llama3:1.0.0\n"
        "  servingPort: {port: 8000}\n  compute: {gpuDevicesRequest: 1}\n"
    )
    _, findings = lint_file(tmp_path / "merge.yaml", text)
    assert "S006" not in rules(findings)  # metadata's required keys came from the merge
    assert at(findings, "S004") == [(10, "/spec/replicas")]  # placed at the << key
    _, findings = lint_file(
        tmp_path / "override.yaml", text.replace("  image", "  replicas: 1\n  image")
    )
    assert "S004" not in rules(findings)  # an explicit key wins over a merged one


# --- size ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_as_many_valid_documents_as_a_file_may_hold(tmp_path: Path) -> None:
    count = MAX_DOCUMENTS  # about 15 MB of the example
    path = tmp_path / "big.yaml"
    path.write_text(("---\n" + GOOD) * count, encoding="utf-8")
    start = time.monotonic()
    code, report, _ = nimlint(str(path), timeout=120)
    elapsed = time.monotonic() - start
    print(f"\n{path.stat().st_size / 1e6:.0f} MB, {count:,} documents: {elapsed:.1f} s")
    assert (code, report["findings"]) == (0, [])


@pytest.mark.slow
def test_over_32_mib_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# padding\n" * (34 * 1024 * 1024 // 10))
    start = time.monotonic()
    code, report, _ = nimlint(str(path))
    print(f"\n34 MiB file refused in {time.monotonic() - start:.2f} s")
    assert code == 1 and at(report["findings"], "P006") == [(1, "")]


@pytest.mark.slow
def test_five_million_character_line(tmp_path: Path) -> None:
    text = GOOD + f"  category: {'c' * 5_000_000}\n"
    start = time.monotonic()
    code, findings = lint_file(tmp_path / "line.yaml", text)
    print(f"\n5,000,000-character line: {time.monotonic() - start:.2f} s")
    assert (code, findings) == (0, [])
    # YAML caps implicit keys at 1,024 characters: a syntax error, placed after the key.
    code, findings = lint_file(tmp_path / "key.yaml", GOOD + f"  {'k' * 5_000_000}: 1\n")
    assert code == 1 and at(findings, "P001") == [(len(GOOD.splitlines()) + 1, "")]


def test_five_thousand_documents(tmp_path: Path) -> None:
    # Every document is linted and placed; the report holds the first MAX_PER_FILE findings.
    path = tmp_path / "stream.yaml"
    path.write_text("".join("---\nspec:\n  replicas: -1\n" for _ in range(5_000)))
    code, report, _ = nimlint("--select", "S004", str(path), timeout=60)
    assert code == 1 and at(report["findings"], "S004") == [
        (3 + 3 * i, "/spec/replicas") for i in range(MAX_PER_FILE)
    ]
    assert report["summary"]["omitted"] == 5_000 - MAX_PER_FILE


# --- JSON ---------------------------------------------------------------------------------


def test_json_trailing_comma(tmp_path: Path) -> None:
    text = '{\n  "metadata": {\n    "name": "x",\n  },\n  "spec": {}\n}\n'
    code, findings = lint_file(tmp_path / "comma.json", text)
    assert code == 1 and at(findings, "P001") == [(3, "")]  # the trailing comma itself


def test_json_duplicate_key(tmp_path: Path) -> None:
    text = '{\n  "metadata": {"name": "x", "projectId": "1"},\n  "spec": {},\n  "spec": {}\n}\n'
    code, findings = lint_file(tmp_path / "dup.json", text)
    assert code == 1 and at(findings, "P002") == [(4, "/spec")]


def test_json_strings_libyaml_cannot_read(tmp_path: Path) -> None:
    # DEL and U+0085/U+2028 are fine in JSON strings; libyaml rejects or folds them.
    text = '{"metadata": {"name": "a\x7fb", "projectId": "1"},\n "spec": {"category": "x\x85y",'
    text += ' "replicas": -1}}'
    _, findings = lint_file(tmp_path / "chars.json", text)
    assert "P001" not in rules(findings) and at(findings, "S004") == [(2, "/spec/replicas")]


# --- empty files and bad paths ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.yaml", ""),
        ("blank.yaml", "\n\n  \n"),
        ("comments.yaml", "# only a comment\n# and another\n"),
        ("empty.json", ""),
        ("blank.json", " \n"),
    ],
)
def test_empty_files(tmp_path: Path, name: str, content: str) -> None:
    code, findings = lint_file(tmp_path / name, content)
    assert code == 1 and rules(findings) == {"P004"}


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a spec")
    for path in (tmp_path / "missing.yaml", tmp_path):
        code, _, stderr = nimlint(str(path))
        lines = stderr.splitlines()
        assert code == 2 and len(lines) == 1 and lines[0].startswith("nimlint: error: ")
        assert str(path) in lines[0]


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(GOOD)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading")
        code, _, stderr = nimlint(str(path))
        assert code == 2 and stderr.startswith(f"nimlint: error: {path}: cannot read")
    finally:
        path.chmod(0o644)


# --- one bad file does not stop the others ------------------------------------------------

HOSTILE = {
    "bomb.yaml": billion_laughs().encode(),
    "deep.yaml": ("[" * DEEP + "]" * DEEP).encode(),
    "latin1.yaml": b"metadata:\n  name: caf\xe9\n",
    "binary.json": b"\x89PNG\r\n\x1a\n\x00",
    "syntax.yaml": b"spec: [unclosed\n",
    "empty.yml": b"",
}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_files_among_good_ones(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "a-good.yaml").write_text(GOOD)
    (tmp_path / "z-bad.yaml").write_text(BAD)
    for name, content in HOSTILE.items():
        (tmp_path / name).write_bytes(content)
    code, report, _ = nimlint("--jobs", jobs, str(tmp_path))
    # Walking, the empty file holds no NIM body: it is skipped and counted, not linted.
    assert code == 1 and report["summary"]["files"] == len(HOSTILE) + 1
    assert report["summary"]["skipped"] == 1
    by_file = {Path(f["file"]).name: f["rule"] for f in report["findings"]}
    assert by_file["z-bad.yaml"] == "S004" and "a-good.yaml" not in by_file
    assert set(by_file) == {*HOSTILE, "z-bad.yaml"} - {"empty.yml"}


def test_hostile_stdin() -> None:
    for content, rule in ((billion_laughs().encode(), "P006"), (b"\x00\x01", "P007")):
        code, report, _ = nimlint("-", stdin=content)
        assert code == 1 and rules(report["findings"]) == {rule}
    code, report, _ = nimlint("--stdin-filename", "x.json", "-", stdin=b'{"a": 1,}')
    assert code == 1 and rules(report["findings"]) == {"P001"}


def test_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    code, report, stderr = nimlint(str(fifo), str(good), timeout=20)
    assert code == 2
    assert f"nimlint: error: {fifo}: not a regular file" in stderr
    assert report["summary"]["files"] == 1  # the other file is still linted
