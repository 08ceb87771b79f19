"""``nimlint server`` end to end: a real LSP client (pygls's) over stdio, compared with the CLI."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp_client import Session, apply, position
from tests.test_cli import nimlint
from tests.test_hostile_input import billion_laughs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "examples" / "embedqa-autoscaling.yaml").read_text()
PAIRS = ROOT / "tests" / "fixtures" / "fixes"
POLICY = ROOT / "tests" / "fixtures" / "policy"
PREVIEW = ROOT / "tests" / "fixtures" / "preview"

# A typo (S008, unsafe rename), a YAML 1.1 reading and a number where a string belongs.
BROKEN = EXAMPLE.replace("gpuDevicesRequest: 1", "gpuDevicesReqest: 1").replace(
    'projectId: "4501"', "projectId: 4501"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="module")
def server(folder: Path):
    session = Session(folder)
    yield session
    assert session.close() == 0


def cli_findings(path: Path, *args: str, cwd: Path | None = None) -> list[tuple]:
    """(rule, severity, message, range) of each finding ``nimlint check`` gives ``path``, run
    in ``cwd`` (default: the file's folder); paths in messages are relative to it."""
    cwd = cwd or path.parent
    name = str(path.relative_to(cwd))
    result = nimlint("check", "--format", "json", *args, name, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return sorted(
        (
            f["rule"],
            f["severity"],
            f["message"],
            (f["line"] - 1, f["column"] - 1, f["endLine"] - 1, f["endColumn"] - 1),
        )
        for f in json.loads(result.stdout)["findings"]
    )


SEVERITY = {1: "error", 2: "warning", 3: "info"}


def seen(diagnostics: list[types.Diagnostic]) -> list[tuple]:
    return sorted((d.code, SEVERITY[d.severity], d.message, span(d.range)) for d in diagnostics)


def span(r: types.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def cli_fix(path: Path, text: str, *flags: str) -> str:
    """The text ``nimlint check --fix`` writes for ``text`` as file ``path``."""
    path.write_text(text)
    result = nimlint("check", "--fix", *flags, path.name, cwd=path.parent)
    assert result.returncode in (0, 1), result.stderr
    return path.read_text()


def actions_at(server: Session, path: Path, diagnostic=None, only=None) -> list[types.CodeAction]:
    """The code actions for ``diagnostic`` (or, without one, for the whole buffer)."""
    uri = path.absolute().as_uri()
    where = (
        diagnostic.range if diagnostic else types.Range(types.Position(0, 0), types.Position(0, 0))
    )
    context = types.CodeActionContext(diagnostics=[diagnostic] if diagnostic else [], only=only)
    params = types.CodeActionParams(types.TextDocumentIdentifier(uri), where, context)
    found = server.request(types.TEXT_DOCUMENT_CODE_ACTION, params) or []
    if diagnostic is None:
        return found
    mine = (diagnostic.code, span(diagnostic.range))
    return [a for a in found if any((d.code, span(d.range)) == mine for d in a.diagnostics or ())]


def applied(text: str, action: types.CodeAction) -> str:
    (change,) = action.edit.document_changes
    return apply(text, change.edits)


# Diagnostics ------------------------------------------------------------------------------


def test_diagnostics_are_the_cli_findings_for_the_unsaved_text(server, folder) -> None:
    sub = folder / "team"
    sub.mkdir()
    # Its folder's configuration: S008 is an error here, and one rule is off.
    (sub / ".nimlint.yaml").write_text("severity: {S008: error}\nignore: [I003]\n")
    path = sub / "svc.yaml"
    path.write_text(EXAMPLE)  # on disk: clean; in the buffer: broken
    diagnostics = server.open(path, BROKEN)
    path.write_text(BROKEN)
    assert seen(diagnostics) == cli_findings(path)
    assert {d.code for d in diagnostics} >= {"S008"}
    typo = next(d for d in diagnostics if d.code == "S008")
    assert typo.severity == types.DiagnosticSeverity.Error
    assert typo.source == "nimlint"
    assert typo.code_description.href.endswith("docs/rules.md#s008")
    assert (
        BROKEN.splitlines()[typo.range.start.line][
            typo.range.start.character : typo.range.end.character
        ]
        == "gpuDevicesReqest"
    )


def test_a_change_relints_and_a_fixed_buffer_is_cleared(server, folder) -> None:
    path = folder / "edit.yaml"
    assert server.open(path, BROKEN)
    assert server.change(path, EXAMPLE) == []


def test_kinds_policy_and_bases_of_the_configuration_apply(server, folder) -> None:
    sub = folder / "guarded"
    sub.mkdir()
    shutil.copy(POLICY / "cluster.yaml", sub / "cluster.yaml")
    shutil.copy(PREVIEW / "running.yaml", sub / "running.yaml")
    (sub / ".nimlint.yaml").write_text(
        "policy: [cluster.yaml]\nbases: {'update-*.yaml': running.yaml}\n"
        "kinds: {'update-*.yaml': update}\n"
    )
    request = (POLICY / "request.yaml").read_text()
    path = sub / "request.yaml"
    diagnostics = server.open(path, request)
    path.write_text(request)
    # from the server's working folder: the policy's path is shown relative to it
    assert diagnostics and seen(diagnostics) == cli_findings(path, cwd=folder)
    # A finding that names the policy's line points there too.
    related = [r for d in diagnostics for r in d.related_information or ()]
    assert any(r.location.uri == (sub / "cluster.yaml").as_uri() for r in related)
    # An update under bases: its preview findings, the base's line as related information.
    update = sub / "update-limit.yaml"
    text = "spec:\n  compute:\n    cpuMemoryLimit: 8Gi\n"
    diagnostics = server.open(update, text)
    update.write_text(text)
    assert seen(diagnostics) == cli_findings(update, cwd=folder)
    (preview,) = diagnostics
    assert preview.code == "R002"
    (place,) = preview.related_information
    assert place.location.uri == (sub / "running.yaml").as_uri()
    assert place.location.range.start.line == 12  # cpuMemoryRequest: 16Gi, line 13


def test_an_untitled_buffer_is_linted_under_the_workspace_configuration(server) -> None:
    found = {d.code for d in server.open_uri("untitled:Untitled-1", BROKEN)}
    assert {"S001", "S008"} <= found
    assert {d.code for d in server.open_uri("untitled:Untitled-2", '{"spec": 1}', "json")} == {
        "S001"
    }


@pytest.mark.parametrize(
    "text",
    [
        "kind: ConfigMap\napiVersion: v1\ndata: {a: b}\n",
        "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n",
        "",
    ],
    ids=["configmap", "workflow", "empty"],
)
def test_documents_with_no_nim_body_get_no_diagnostics(server, folder, text: str) -> None:
    assert server.open(folder / f"other-{len(text)}.yaml", text) == []


def test_a_newer_edit_supersedes_the_older_ones(server, folder) -> None:
    path = folder / "typing.yaml"
    server.open(path, EXAMPLE)
    texts = [BROKEN, EXAMPLE.replace("port: 8000", "port: x", 1), BROKEN, EXAMPLE]
    assert server.changes(path, texts) == []
    versions = [v for v, _ in server.published[path.as_uri()]]
    assert versions == sorted(versions)  # never an older version after a newer one
    assert versions[-1] == server.versions[path.as_uri()]


HOSTILE = {
    "alias-bomb": billion_laughs(),
    "binary": "spec:\x00\x01\x02",
    "lone-surrogate": "metadata:\n  name: \ud800x\n",
    "deep": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep-json": "[" * 100_000,
    "too-big": "# " + "x" * (32 * 1024 * 1024) + "\n",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_buffer_then_a_good_one(server, folder, name: str) -> None:
    suffix = ".json" if name.endswith("json") else ".yaml"
    path = folder / f"hostile-{name}{suffix}"
    diagnostics = server.open(path, HOSTILE[name])
    assert all(d.source == "nimlint" for d in diagnostics)
    expected = {"alias-bomb": "P006", "binary": "P007", "lone-surrogate": "P007", "too-big": "P006"}
    if name in expected:
        assert expected[name] in {d.code for d in diagnostics}
    good = folder / f"good-after-{name}.yaml"
    assert seen(server.open(good, BROKEN)) == seen(server.open(folder / "ref.yaml", BROKEN))
    assert server.process.returncode is None


def test_hostile_buffers_give_the_cli_findings(server, folder) -> None:
    for name in ("alias-bomb", "binary", "too-big"):
        path = folder / f"cli-{name}.yaml"
        diagnostics = server.open(path, HOSTILE[name])
        path.write_text(HOSTILE[name])
        assert seen(diagnostics) == cli_findings(path), name
        assert diagnostics, name


def test_logs_go_to_the_client(server) -> None:
    assert any("nimlint" in m.message for m in server.logs)
    assert server.stderr == b""


# Code actions -----------------------------------------------------------------------------


def fix_cases() -> list:
    return [pytest.param(f / "before.yaml", id=f.name) for f in sorted(PAIRS.iterdir())]


@pytest.mark.parametrize("before", fix_cases())
def test_fix_all_is_the_text_check_fix_writes(server, folder, before: Path) -> None:
    text = before.read_text()
    path = folder / f"fixall-{before.parent.name}.yaml"
    server.open(path, text)
    found = actions_at(server, path, only=["source.fixAll"])
    expected = cli_fix(path, text)
    if expected == text:
        assert found == []
    else:
        (action,) = found
        assert action.kind == "source.fixAll.nimlint"
        assert applied(text, action) == expected


@pytest.mark.parametrize("before", fix_cases())
def test_each_quick_fix_is_the_cli_fix_of_that_finding(server, folder, before: Path) -> None:
    text = before.read_text()
    path = folder / f"quick-{before.parent.name}.yaml"
    diagnostics = server.open(path, text)
    path.write_text(text)
    report = nimlint("check", "--format", "json", path.name, cwd=folder)
    fixes = {
        (f["rule"], f["line"] - 1, f["column"] - 1): f["fix"]
        for f in json.loads(report.stdout)["findings"]
        if "fix" in f
    }
    offered = 0
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.range.start.line, diagnostic.range.start.character)
        quick = [
            a
            for a in actions_at(server, path, diagnostic, only=["quickfix"])
            if not a.title.startswith("Disable")
        ]
        if key not in fixes:
            assert quick == []
            continue
        (action,) = quick
        offered += 1
        fix = fixes[key]
        assert action.is_preferred == (fix["applicability"] == "safe")
        assert ("unsafe" in action.title) == (fix["applicability"] == "unsafe")
        cli_edits = [
            types.TextEdit(
                types.Range(
                    types.Position(e["line"] - 1, e["column"] - 1),
                    types.Position(e["endLine"] - 1, e["endColumn"] - 1),
                ),
                e["content"],
            )
            for e in fix["edits"]
        ]
        assert applied(text, action) == apply(text, cli_edits)
    assert offered == len(fixes) > 0
    if len(fixes) == 1:  # one fix: the quick fix is the whole of --fix (--unsafe-fixes)
        (diagnostic,) = [
            d for d in diagnostics if (d.code, d.range.start.line, d.range.start.character) in fixes
        ]
        (action,) = [
            a
            for a in actions_at(server, path, diagnostic)
            if a.kind == "quickfix" and not a.title.startswith("Disable")
        ]
        assert applied(text, action) == cli_fix(path, text, "--unsafe-fixes")


def test_disable_on_the_line_and_for_the_file_silence_the_finding(server, folder) -> None:
    path = folder / "disable.yaml"
    diagnostics = server.open(path, BROKEN)
    typo = next(d for d in diagnostics if d.code == "S008")
    titles = {a.title: a for a in actions_at(server, path, typo)}
    line = applied(BROKEN, titles["Disable S008 on this line"])
    assert "    gpuDevicesReqest: 1  # nimlint: disable=S008\n" in line
    whole = applied(BROKEN, titles["Disable S008 for this file"])
    assert whole == "# nimlint: disable-file=S008\n" + BROKEN
    for text in (line, whole):
        path.write_text(text)
        rules = [f[0] for f in cli_findings(path)]
        assert "S008" not in rules and "X001" not in rules
        assert "S008" not in {d.code for d in server.change(path, text)}
    # A second rule on a line that has a directive joins it.
    two = BROKEN.replace("gpuDevicesReqest: 1", "gpuDevicesReqest: 1  # nimlint: disable=S004")
    diagnostics = server.change(path, two)
    typo = next(d for d in diagnostics if d.code == "S008")
    (action,) = [a for a in actions_at(server, path, typo) if "on this line" in a.title]
    assert "gpuDevicesReqest: 1  # nimlint: disable=S004,S008\n" in applied(two, action)


def test_no_disable_action_inside_a_block_scalar(server, folder) -> None:
    text = EXAMPLE.replace(
        "  ngcAuthSecret: ngc-api-secret\n",
        "  ngcAuthSecret: ngc-api-secret\n  command: |\n    run\n",
    ).replace("spec:\n", "spec:\n  tolerations: [{operator: Exists, value: x}]\n")
    path = folder / "scalar.yaml"
    for diagnostic in server.open(path, text):
        for action in actions_at(server, path, diagnostic):
            if action.title.startswith("Disable"):
                result = applied(text, action)
                path.write_text(result)
                assert diagnostic.code not in [f[0] for f in cli_findings(path)]


# Hover and completion ---------------------------------------------------------------------


def hover(server: Session, path: Path, text: str, needle: str, offset: int = 1) -> str | None:
    params = types.HoverParams(
        types.TextDocumentIdentifier(path.as_uri()), position(text, needle, offset)
    )
    result = server.request(types.TEXT_DOCUMENT_HOVER, params)
    return result and result.contents.value


def test_hover_on_a_key_shows_the_field(server, folder) -> None:
    path = folder / "hover.yaml"
    server.open(path, EXAMPLE)
    text = hover(server, path, EXAMPLE, "gpuRequestType")
    assert text == (
        "**spec.compute.gpuRequestType**: `string`\n\n"
        "Sets the unit type for GPU resources requests. Stated in terms of portion or memory. "
        "Sets the unit type for other GPU request fields. If `gpuDevicesRequest > 1`, only "
        "`portion` is supported. If `gpuDeviceRequest = 1`, the request type can be stated as "
        "`portion` or `memory`.\n\n"
        "Allowed values: `portion`, `memory`\n\n"
        "Document read as: create (detected)"
    )
    assert "Default: `true`" in hover(server, path, EXAMPLE, "readWriteOnce")
    assert hover(server, path, EXAMPLE, "memory", 2).startswith("**spec.compute.gpuRequestType**")
    assert hover(server, path, EXAMPLE, "# A create") is None  # a comment


def test_hover_uses_the_configured_kind_and_openapi(server, folder) -> None:
    sub = folder / "custom-api"
    sub.mkdir()
    text = (ROOT / "schemas" / "runai-2.24-nim-services.openapi.json").read_text()
    marker = "A description only the custom OpenAPI document has."
    assert text.count("Docker image name.") == 1
    hostile = (
        " ![x](https://example.invalid/x.png) <img src=https://example.invalid/y.png> \\u001b[31m"
    )
    text = text.replace("Docker image name.", marker + hostile)
    (sub / "api.json").write_text(text)
    (sub / ".nimlint.yaml").write_text("openapi: api.json\nkinds: {'*.yaml': response}\n")
    path = sub / "svc.yaml"
    server.open(path, EXAMPLE)
    shown = hover(server, path, EXAMPLE, "image")
    assert shown.startswith("**spec.image**: `string`\n\n" + marker)
    assert shown.endswith("Document read as: response (config)")
    # Nothing an editor would fetch or a terminal would obey: no image, no raw HTML, no ESC.
    assert "![" not in shown and "<img" not in shown and "\x1b" not in shown
    assert "!\\[x](https://example.invalid/x.png) &lt;img" in shown


def test_hover_on_a_rule_id_in_a_suppression(server, folder) -> None:
    text = BROKEN.replace("gpuDevicesReqest: 1", "gpuDevicesReqest: 1  # nimlint: disable=S008")
    path = folder / "hover-rule.yaml"
    server.open(path, text)
    shown = hover(server, path, text, "S008")
    rule = json.loads(nimlint("rules", "--format", "json").stdout)
    summary = next(r["summary"] for r in rule if r["id"] == "S008")
    assert shown.startswith("**S008** unknown-key") and summary in shown
    doc = nimlint("rule", "S008").stdout.decode()
    assert doc.split("\n\n")[3].strip()[:60] in shown  # the rationale


def complete(server: Session, path: Path, text: str, needle: str, offset: int) -> dict:
    server.change(path, text) if path.as_uri() in server.versions else server.open(path, text)
    params = types.CompletionParams(
        types.TextDocumentIdentifier(path.as_uri()), position(text, needle, offset)
    )
    result = server.request(types.TEXT_DOCUMENT_COMPLETION, params)
    return {item.label: item for item in result.items}


def test_completion_offers_the_missing_keys_of_the_mapping(server, folder) -> None:
    text = EXAMPLE.replace("    cpuCoreRequest: 2\n", "    cpuCoreRequest: 2\n    gpuPor\n")
    items = complete(server, folder / "complete.yaml", text, "    gpuPor", 10)
    assert "gpuPortionRequest" in items and "gpuPortionLimit" in items
    assert "gpuDevicesRequest" not in items  # present already
    assert "cpuCoreRequest" not in items
    assert "image" not in items  # spec's key, not compute's
    item = items["gpuPortionRequest"]
    assert item.text_edit.new_text == "gpuPortionRequest: "
    assert item.documentation.value
    top = "metadata:\n  name: x\n\n"
    items = complete(server, folder / "complete.yaml", top, "\n\n", 2)
    assert set(items) >= {"spec"} and "metadata" not in items


def test_completion_offers_enum_values_and_booleans(server, folder) -> None:
    path = folder / "values.yaml"
    text = EXAMPLE.replace("gpuRequestType: memory", "gpuRequestType: me")
    items = complete(server, path, text, "gpuRequestType: me", 18)
    assert {"memory", "portion"} <= set(items)
    assert items["memory"].text_edit.new_text == "memory"
    text = EXAMPLE.replace("readWriteOnce: true", "readWriteOnce: ")
    items = complete(server, path, text, "readWriteOnce: ", 15)
    assert set(items) == {"true", "false"}


# Workspace and trust ----------------------------------------------------------------------


def test_a_configuration_change_relints_open_buffers(server, folder) -> None:
    sub = folder / "reload"
    sub.mkdir()
    config = sub / ".nimlint.yaml"
    config.write_text("select: [S]\n")
    path = sub / "svc.yaml"
    assert "S008" in {d.code for d in server.open(path, BROKEN)}
    globs = {
        w["globPattern"]
        for r in server.registrations
        for w in (r.register_options or {}).get("watchers", ())
    }
    assert {"**/.nimlint.yaml", "**/pyproject.toml"} <= globs
    config.write_text("select: [S]\nignore: [S008]\n")
    assert "S008" not in {d.code for d in server.watched_change(config, path)}


def test_policies_and_bases_in_use_are_watched(server, folder) -> None:
    sub = folder / "watched"
    sub.mkdir()
    shutil.copy(POLICY / "cluster.yaml", sub / "cluster.yaml")
    shutil.copy(PREVIEW / "running.yaml", sub / "running.yaml")
    (sub / ".nimlint.yaml").write_text(
        "policy: [cluster.yaml]\nbases: {'u-*.yaml': running.yaml}\n"
    )
    path = sub / "request.yaml"
    before = server.open(path, (POLICY / "request.yaml").read_text())
    globs = {
        w["globPattern"]
        for r in server.registrations
        for w in (r.register_options or {}).get("watchers", ())
    }
    for name in (".nimlint.yaml", "cluster.yaml", "running.yaml"):
        assert (sub / name).resolve().as_posix() in globs
    (sub / "cluster.yaml").write_text("meta: {scope: cluster, name: none}\npolicy: {}\n")
    after = server.watched_change(sub / "cluster.yaml", path)
    assert len(after) < len(before)


RULE_MODULE = """
import pathlib
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem

pathlib.Path(__file__).with_name("imported").write_text("yes")
print("a rule that prints on stdout")
RULES = RuleSet()


@RULES.rule("ACME001", name="always", severity="warning", summary="Always.", bad="a: 1", good="b")
def always(ctx):
    "A rule from the checkout."
    print("printing while checking")
    yield Problem("", "checkout rule ran")
"""


def checkout(tmp_path: Path) -> Path:
    (tmp_path / "rules.py").write_text(RULE_MODULE)
    (tmp_path / ".nimlint.yaml").write_text("extra-rules: [rules.py]\nignore: [S008]\n")
    path = tmp_path / "svc.yaml"
    path.write_text(BROKEN)
    return path


@pytest.mark.parametrize(
    ("options", "args", "config_read"),
    [
        ({"isolated": True}, (), False),
        ({"noPythonRules": True}, (), True),
        (None, ("--isolated",), False),
        ({"isolated": False}, ("--no-python-rules",), True),  # options never loosen the CLI
    ],
)
def test_untrusted_mode_runs_no_checkout_code(tmp_path: Path, options, args, config_read) -> None:
    path = checkout(tmp_path)
    session = Session(tmp_path, *args, options=options)
    try:
        codes = {d.code for d in session.open(path, BROKEN)}
    finally:
        assert session.close() == 0
    assert not (tmp_path / "imported").exists()
    assert ("S008" not in codes) == config_read
    cli = ["--isolated"] if not config_read else ["--no-python-rules"]
    assert sorted(codes) == sorted({f[0] for f in cli_findings(path, *cli)})


def test_trusted_rule_modules_run_and_their_prints_stay_off_the_protocol(tmp_path: Path) -> None:
    path = checkout(tmp_path)
    session = Session(tmp_path)
    try:
        first = session.open(path, BROKEN)
        again = session.change(path, EXAMPLE)
    finally:
        assert session.close() == 0
    assert (tmp_path / "imported").exists()
    assert any(d.message == "checkout rule ran" for d in first)
    assert any(d.message == "checkout rule ran" for d in again)
    assert b"a rule that prints on stdout" in session.stderr


def test_a_bad_configuration_is_shown_not_fatal(tmp_path: Path) -> None:
    (tmp_path / ".nimlint.yaml").write_text("select: [NOPE]\n")
    session = Session(tmp_path)
    try:
        assert session.open(tmp_path / "svc.yaml", BROKEN) == []
        good = tmp_path / "ok"
        good.mkdir()
        (good / ".nimlint.yaml").write_text("select: [S]\n")
        assert session.open(good / "svc.yaml", BROKEN)
    finally:
        assert session.close() == 0
    assert any("NOPE" in m.message for m in session.shown)


# Process ----------------------------------------------------------------------------------


def test_exit_without_shutdown_is_code_1(tmp_path: Path) -> None:
    session = Session(tmp_path)

    async def end() -> int:
        session.client.exit(None)
        return await session.process.wait()

    try:
        assert session.run(end()) == 1
    finally:
        session.loop.call_soon_threadsafe(session.loop.stop)


def test_the_server_exits_when_its_parent_dies(tmp_path: Path) -> None:
    to_server, from_test = os.pipe()  # held open here: stdin never ends on its own
    to_test, from_server = os.pipe()
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            "p = subprocess.Popen([sys.executable, '-m', 'nimlint', 'server'],"
            f" stdin={to_server}, stdout={from_server})\n"
            "print(p.pid, flush=True)\ntime.sleep(600)\n",
        ],
        pass_fds=(to_server, from_server),
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    os.close(to_server)
    os.close(from_server)
    try:
        child = int(parent.stdout.readline())
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"capabilities": {}, "processId": parent.pid},
            }
        ).encode()
        os.write(from_test, b"Content-Length: %d\r\n\r\n" % len(body) + body)
        assert os.read(to_test, 100).startswith(b"Content-Length")  # it serves
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _alive(child):
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        os.close(from_test)
        os.close(to_test)


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)  # not our child: ChildProcessError
        return waited == 0
    except ChildProcessError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_notifications_leave_no_future_behind(tmp_path: Path) -> None:
    """pygls kept a future per didChange forever (memory grew ~2 KiB per keystroke)."""
    import asyncio

    from nimlint.server.adapter import Trust
    from nimlint.server.app import build

    ls = build(Trust())

    class Sink:
        def write(self, data: bytes) -> None:
            pass

        def close(self) -> None:
            pass

    ls.protocol.set_writer(Sink())
    uri = (tmp_path / "spec.yaml").as_uri()

    def handle(method: str, params, ident: int | None = None) -> None:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if ident is not None:
            message["id"] = ident
        structured = json.loads(json.dumps(message), object_hook=ls.protocol.structure_message)
        ls.protocol.handle_message(structured)

    async def drive() -> int:
        handle("initialize", {"capabilities": {}, "processId": None}, 1)
        handle("initialized", {})
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": EXAMPLE}
        handle("textDocument/didOpen", {"textDocument": document})
        for version in range(2, 202):
            change = {"text": EXAMPLE.replace("replicas: 1", f"replicas: {version % 7 + 1}")}
            handle(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            await asyncio.sleep(0)
        for task in list(ls.pending.values()):
            await asyncio.wait([task])
        return len(ls.protocol._request_futures)

    assert asyncio.run(drive()) < 5
    ls.worker.shutdown()
