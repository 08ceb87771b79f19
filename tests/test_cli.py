"""The command line end to end: formats byte for byte, exit codes, stdin, streams, JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nimlint import __version__

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(__file__).parent / "fixtures" / "cli"
FILES = [
    "tests/fixtures/cli/multi.yaml",
    "tests/fixtures/cli/request.json",
    "examples/llama3-8b-instruct.yaml",
]


def nimlint(*args: str, stdin: bytes = b"", env: dict | None = None, cwd: Path = ROOT):
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "nimlint", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("text", "expected.txt"),
        ("concise", "expected.concise"),
        ("gcc", "expected.gcc"),
        ("json", "expected.json"),
    ],
)
def test_format_byte_for_byte(fmt: str, expected: str) -> None:
    result = nimlint("check", "--select", "P,S", "--format", fmt, *FILES)
    want = (CLI / expected).read_text(encoding="utf-8").replace("@VERSION@", __version__)
    assert result.stdout.decode() == want
    assert result.returncode == 1
    assert result.stderr == b""


def test_json_report_contract() -> None:
    report = json.loads(nimlint("check", "--format", "json", *FILES).stdout)
    assert list(report) == ["version", "findings", "summary", "documents"]
    assert report["version"] == __version__
    keys = [
        "rule",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "endLine",
        "endColumn",
        "pointer",
    ]
    assert all(list(finding)[:9] == keys for finding in report["findings"])
    assert all(list(finding)[9:] in ([], ["fix"]) for finding in report["findings"])
    assert report["summary"]["files"] == 3
    assert report["summary"]["findings"] == len(report["findings"])
    assert report["summary"]["skipped"] == 0
    kinds = [(d["file"], d["index"], d["kind"], d["kindFrom"]) for d in report["documents"]]
    assert kinds == [
        (FILES[0], 0, "create", "detected"),
        (FILES[0], 1, "create", "detected"),
        (FILES[0], 2, "update", "detected"),
        (FILES[1], 0, "create", "detected"),
        (FILES[2], 0, "create", "detected"),
    ]


def test_clean_files_exit_zero() -> None:
    result = nimlint("check", "examples/")
    assert result.returncode == 0, result.stdout.decode()
    assert b"All checks passed" in result.stdout


def test_fail_on_lowers_the_threshold(tmp_path: Path) -> None:
    spec = tmp_path / "typo.yaml"
    spec.write_text('metadata: {name: a, projectId: "1"}\nspec:\n  replica: 1\n')
    assert nimlint("check", "--select", "S008", str(spec)).returncode == 0
    assert nimlint("check", "--select", "S008", "--fail-on", "warning", str(spec)).returncode == 1
    assert (
        nimlint(
            "check",
            "--select",
            "S008",
            "--severity",
            "S008=info",
            "--fail-on",
            "warning",
            str(spec),
        ).returncode
        == 0
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), b"no paths given"),
        (("missing.yaml",), b"missing.yaml: no such file or directory"),
        (("--select", "Q9", "examples"), b"unknown rule id, prefix or name 'Q9'"),
        (("--severity", "S008", "examples"), b"expected ID=LEVEL"),
        (("--format", "xml", "examples"), b"Invalid value for '--format'"),
        (
            ("--output-file", "a", "--output-file", "b", "examples"),
            b"more --output-file than --format",
        ),
        (("--openapi", "README.md", "examples"), b"README.md"),
        (
            ("--format", "json", "--format", "text", "examples"),
            b"--format json and --format text would both write to standard output",
        ),
        (
            (
                "--format",
                "sarif",
                "--output-file",
                os.devnull,
                "--format",
                "text",
                "--format",
                "gcc",
                "examples",
            ),
            b"--format text and --format gcc would both",
        ),
    ],
)
def test_usage_errors_exit_two_with_one_line(args: tuple, message: bytes) -> None:
    result = nimlint("check", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert b"Traceback" not in result.stderr


def test_stdin_with_filename() -> None:
    spec = b'metadata: {name: a, projectId: "1"}\nspec:\n  replicas: -1\n'
    result = nimlint(
        "check",
        "--select",
        "S",
        "--format",
        "gcc",
        "--stdin-filename",
        "deploy/a.yaml",
        "-",
        stdin=spec,
    )
    assert (
        result.stdout.decode()
        == "deploy/a.yaml:3:13: error: spec.replicas must be at least 0; got -1 [S004]\n"
    )
    assert result.returncode == 1


def test_stdin_json_by_filename() -> None:
    result = nimlint(
        "check", "--format", "gcc", "--stdin-filename", "x.json", "-", stdin=b'{"spec": {},}'
    )
    assert result.stdout.decode().startswith(
        "x.json:1:12: error: JSON syntax error: trailing comma"
    )


def test_multi_document_positions_are_per_document() -> None:
    report = json.loads(nimlint("check", "--select", "S006", "--format", "json", FILES[0]).stdout)
    assert [(f["line"], f["pointer"]) for f in report["findings"]] == [(11, "/metadata"), (18, "")]


def test_kind_override() -> None:
    detected = nimlint("check", "--select", "S006", "--format", "gcc", FILES[0]).stdout.decode()
    forced = nimlint("check", "--kind", "update", "--select", "S006", "--format", "gcc", FILES[0])
    assert ":11:1:" in detected and ":11:1:" not in forced.stdout.decode()
    assert ":18:1:" in forced.stdout.decode()


def test_output_files_pair_with_formats(tmp_path: Path) -> None:
    sarif, gcc = tmp_path / "out.sarif", tmp_path / "out.gcc"
    result = nimlint(
        "check",
        "--select",
        "S",
        "--format",
        "sarif",
        "--output-file",
        str(sarif),
        "--format",
        "gcc",
        "--format",
        "json",
        "--output-file",
        str(gcc),
        FILES[1],
    )
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert gcc.read_text().startswith(FILES[1] + ":5:29: error:")
    assert json.loads(result.stdout)["summary"]["files"] == 1


def test_one_report_per_stream(tmp_path: Path) -> None:
    """Two reports on stdout cannot be parsed: the clash is a usage error saying how to fix it,
    and nothing is written; the documented pairing (an --output-file each but the last) works."""
    clash = nimlint("check", "--format", "json", "--format", "text", FILES[1])
    assert (clash.returncode, clash.stdout) == (2, b"")
    assert b"give each --format but one an --output-file" in clash.stderr
    sarif = tmp_path / "out.sarif"
    args = ("--format", "sarif", "--output-file", str(sarif), "--format", "json")
    result = nimlint("check", *args, FILES[1])
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert json.loads(result.stdout)["summary"]["files"] == 1


def test_github_format_is_the_default_in_actions() -> None:
    result = nimlint("check", "--select", "S", FILES[1], env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.decode().startswith("::error file=")


def test_color_only_when_asked_or_on_a_terminal() -> None:
    assert b"\x1b[" not in nimlint("check", FILES[1]).stdout
    assert b"\x1b[" in nimlint("check", "--color", "always", FILES[1]).stdout


def test_version_and_help() -> None:
    assert nimlint("--version").stdout.decode().strip() == f"nimlint, version {__version__}"
    help_text = nimlint("check", "--help").stdout.decode()
    assert "Examples:" in help_text and "Exit codes" in help_text


def test_rules_listing_and_docs() -> None:
    listing = json.loads(nimlint("rules", "--format", "json").stdout)
    ids = [entry["id"] for entry in listing]
    assert "S008" in ids and len(ids) == len(set(ids))
    doc = nimlint("rule", "s008").stdout.decode()
    assert doc.startswith("## S008") and "gpuDevicesRequest" in doc
    assert nimlint("rule", "NOPE1").returncode == 2


def test_schema_command_prints_the_kind_schema() -> None:
    schema = json.loads(nimlint("schema", "--kind", "update").stdout)
    assert schema == json.loads((ROOT / "schemas" / "nim-service-update.schema.json").read_text())


def test_openapi_option_uses_another_document(tmp_path: Path) -> None:
    document = json.loads((ROOT / "schemas" / "runai-2.24-nim-services.openapi.json").read_text())
    document["components"]["schemas"]["NimServiceReplicas"]["maximum"] = 4
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(document))
    spec = tmp_path / "spec.yaml"
    spec.write_text('metadata: {name: a, projectId: "1"}\nspec:\n  replicas: 5\n')
    assert nimlint("check", "--select", "S", str(spec)).returncode == 0
    result = nimlint(
        "check", "--select", "S", "--format", "gcc", "--openapi", str(newer), str(spec)
    )
    assert "must be at most 4" in result.stdout.decode()


def test_invalid_openapi_document_is_a_usage_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"openapi": "3.0.3", "info": {}, "paths": {}}))
    result = nimlint("check", "--openapi", str(broken), "examples")
    assert result.returncode == 2
    assert b"is not a valid OpenAPI document" in result.stderr


def test_installed_data_is_found_from_another_directory(tmp_path: Path) -> None:
    result = nimlint("check", str(ROOT / "examples"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
