"""The language server: pygls features wired to the adapter's Engine.

Buffers are linted one at a time in one worker thread, newest text first: a lint started for
an older version is never published (its task is cancelled, or its result dropped when the
version has moved on). Nothing but the protocol goes to stdout: stdout and stdin are moved
aside before anything runs, so a print() in a rule module lands on stderr.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar, NamedTuple, NoReturn
from urllib.parse import urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

import nimlint.server.actions as actions
import nimlint.server.completion as completion
import nimlint.server.cursor as cursor
import nimlint.server.hover as hover
from nimlint import __version__
from nimlint.escaping import printable_lines
from nimlint.server.adapter import Engine, Outcome, Trust
from nimlint.server.diagnostics import diagnostic
from nimlint.server.text import Lines

log = logging.getLogger("nimlint.server")

# Files whose change re-lints every open buffer; the exact policies, bases, rule files and
# OpenAPI documents in use are watched as well, once a configuration names them.
CONFIG_GLOBS = ("**/.nimlint.yaml", "**/pyproject.toml")
WATCH_ID = "nimlint-watched-files"
PARENT_POLL_SECONDS = 1.0
MAX_SUPPRESSION_CHECKS = 10  # findings per code-action request offered disable-comment actions


class State(NamedTuple):
    """The last lint of a buffer: which version, its text, and what it gave."""

    version: int | None
    text: str
    lines: Lines
    outcome: Outcome
    diagnostics: tuple[types.Diagnostic, ...]


class _Protocol(LanguageServerProtocol):
    """pygls 2.1 files the future of every notification its built-in handlers run (didOpen,
    didChange...) under a fresh id and never removes it: about 2 KiB per keystroke. Finished
    futures are dropped after each notification (a request's is removed when its response is
    sent; a finished one has nothing left to cancel)."""

    def _handle_notification(self, method_name: str, params) -> None:
        super()._handle_notification(method_name, params)
        futures = self._request_futures
        for key in [key for key, future in futures.items() if future.done()]:
            del futures[key]


class NimlintServer(LanguageServer):
    def __init__(self, trust: Trust):
        super().__init__(
            "nimlint",
            __version__,
            types.TextDocumentSyncKind.Incremental,
            protocol_cls=_Protocol,
        )
        self.trust = trust  # from the command line: initialization options can only tighten it
        self.engine = Engine(trust)
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="nimlint-lint")
        self.pending: dict[str, asyncio.Task] = {}
        self.states: dict[str, State] = {}
        self.fixed: dict[tuple[str, int | None], str | None] = {}  # fix-all text per version
        self.watched: frozenset[str] = frozenset()
        self.can_watch = False
        self.watch_lock = asyncio.Lock()
        self.errors_shown: set[str] = set()
        self.out = None  # the protocol's stdout: nothing is sent once it is closed
        self.parents: list[int] = []  # the client's processId: exit when it dies
        self.loop_ref: asyncio.AbstractEventLoop | None = None  # for logs from other threads

    def report_server_error(self, error: Exception, source) -> None:
        """Log it (pygls would show it, and again on each failure to send once the client
        is gone)."""
        if self.out is not None and not self.out.closed:
            log.error("server error: %s: %s", type(error).__name__, error)

    # Buffers

    def path_of(self, uri: str) -> Path:
        """The file a buffer is (for an unsaved untitled buffer: a name in the workspace)."""
        document = self.workspace.get_text_document(uri)
        if document.path and urlparse(uri).scheme == "file":
            return Path(document.path).absolute()
        suffix = ".json" if document.language_id == "json" else ".yaml"
        root = self.workspace.root_path or os.getcwd()
        return Path(root, "untitled" + suffix).absolute()

    def schedule(self, uri: str) -> None:
        """Lint ``uri`` again; a lint still waiting for an older version is cancelled."""
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.pending[uri] = asyncio.ensure_future(self._lint_and_publish(uri))

    async def _lint_and_publish(self, uri: str) -> None:
        state = await self.current(uri)
        if state is None:
            return
        await self._watch_dependencies()  # first: a client may read files as it is told of them
        if self.pending.get(uri) is not asyncio.current_task():
            return
        del self.pending[uri]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri, list(state.diagnostics), state.version)
        )
        self._show_error(state.outcome.error)

    async def current(self, uri: str) -> State | None:
        """The lint of the buffer's current text (linting it now if the last one is older);
        None if the buffer was closed or changed meanwhile."""
        if uri not in self.workspace.text_documents:
            return None
        document = self.workspace.get_text_document(uri)
        version, text = document.version, document.source
        state = self.states.get(uri)
        if state is not None and state.version == version and state.text is text:
            return state
        path = self.path_of(uri)
        loop = asyncio.get_running_loop()
        outcome = await loop.run_in_executor(self.worker, self._lint, text, path)
        if uri not in self.workspace.text_documents:
            return None
        if self.workspace.get_text_document(uri).version != version:
            return None  # superseded: a newer lint is on its way
        lines = Lines(text, self.workspace.position_encoding or "utf-16")
        folders = (path.parent, *path.parent.parents, Path.cwd())
        found = tuple(diagnostic(f, lines, folders) for f in outcome.findings)
        state = self.states[uri] = State(version, text, lines, outcome, found)
        return state

    def _lint(self, text: str, path: Path) -> Outcome:
        started = time.perf_counter()
        try:
            outcome = self.engine.lint(text, path)
        except Exception:  # one buffer must not take the server down
            log.exception("internal error linting %s (please report this)", path)
            return Outcome()
        log.debug("linted %s in %.1f ms", path, (time.perf_counter() - started) * 1000)
        return outcome

    def _show_error(self, error: str) -> None:
        """A configuration error, shown once (and logged every time)."""
        if not error:
            return
        text = printable_lines(error)
        log.error("%s", text)
        if text not in self.errors_shown:
            self.errors_shown.add(text)
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, f"nimlint: {text}")
            )

    def relint_all(self) -> None:
        """Read every configuration again (in the worker, after the lint under way), then
        lint every open buffer."""
        self.worker.submit(self.engine.reset)
        self.states.clear()
        self.fixed = {}
        self.errors_shown.clear()
        for uri in list(self.workspace.text_documents):
            self.schedule(uri)

    # Watched files

    async def _watch_dependencies(self) -> None:
        """Ask the client to watch the configuration files and every file they depend on."""
        if not self.can_watch:
            return
        async with self.watch_lock:  # one registration at a time, the last one wins
            await self._register_watchers()

    async def _register_watchers(self) -> None:
        loop = asyncio.get_running_loop()
        used = await loop.run_in_executor(self.worker, self.engine.dependencies)
        globs = frozenset((*CONFIG_GLOBS, *(p.as_posix() for p in used)))
        if globs == self.watched:
            return
        old, self.watched = self.watched, globs
        try:
            if old:
                await self.client_unregister_capability_async(
                    types.UnregistrationParams(
                        [types.Unregistration(WATCH_ID, types.WORKSPACE_DID_CHANGE_WATCHED_FILES)]
                    )
                )
            watchers = [types.FileSystemWatcher(glob_pattern=g) for g in sorted(globs)]
            await self.client_register_capability_async(
                types.RegistrationParams(
                    [
                        types.Registration(
                            WATCH_ID,
                            types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            types.DidChangeWatchedFilesRegistrationOptions(watchers),
                        )
                    ]
                )
            )
        except Exception as exc:  # noqa: BLE001 - a client that refuses: no reload, no crash
            log.warning("could not register file watchers: %s", exc)


server = None  # the running NimlintServer (one per process)


def build(trust: Trust) -> NimlintServer:
    ls = NimlintServer(trust)

    @ls.feature(types.INITIALIZE)
    def initialize(ls: NimlintServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        ls.trust = tighter(ls.trust, options if isinstance(options, dict) else {})
        ls.engine = Engine(ls.trust)
        workspace = params.capabilities.workspace
        watch = workspace and workspace.did_change_watched_files
        ls.can_watch = bool(watch and watch.dynamic_registration)
        ls.loop_ref = asyncio.get_running_loop()
        if params.process_id is not None:
            ls.parents.append(params.process_id)

    @ls.feature(types.INITIALIZED)
    async def initialized(ls: NimlintServer, params: types.InitializedParams) -> None:
        log.info(
            "nimlint %s server: isolated=%s, python rules=%s",
            __version__,
            ls.trust.isolated,
            ls.trust.python_rules and not ls.trust.isolated,
        )
        await ls._watch_dependencies()

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: NimlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: NimlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: NimlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.states.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_changed(ls: NimlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        log.info("%d watched file(s) changed: linting open buffers again", len(params.changes))
        ls.relint_all()

    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL]),
    )
    async def code_action(ls: NimlintServer, params: types.CodeActionParams):
        uri = params.text_document.uri
        state = await ls.current(uri)
        if state is None:
            return None
        return await asyncio.get_running_loop().run_in_executor(
            ls.worker, code_actions, ls, uri, state, params
        )

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: NimlintServer, params: types.HoverParams):
        state = await ls.current(params.text_document.uri)
        if state is None:
            return None
        path = ls.path_of(params.text_document.uri)
        text = await asyncio.get_running_loop().run_in_executor(
            ls.worker, hover_text, ls, path, state, params
        )
        if text is None:
            return None
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text))

    @ls.feature(types.TEXT_DOCUMENT_COMPLETION)
    async def on_completion(ls: NimlintServer, params: types.CompletionParams):
        uri = params.text_document.uri
        if uri not in ls.workspace.text_documents:
            return None
        document = ls.workspace.get_text_document(uri)
        path = ls.path_of(uri)
        if path.suffix.lower() == ".json":
            return None
        state = ls.states.get(uri)
        items = await asyncio.get_running_loop().run_in_executor(
            ls.worker, completions, ls, path, document.source, state, params.position
        )
        return types.CompletionList(is_incomplete=False, items=items)

    @ls.feature(types.EXIT)
    def on_exit(ls: NimlintServer, *_) -> None:
        end(ls)

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def configuration_changed(ls: NimlintServer, params) -> None:
        """Settings come as initialization options (and .nimlint.yaml): nothing to do."""

    @ls.feature(types.SHUTDOWN)
    def shutdown(ls: NimlintServer, *_) -> None:
        for task in ls.pending.values():
            task.cancel()
        ls.pending.clear()

    return ls


def tighter(trust: Trust, options: dict) -> Trust:
    """``trust`` tightened by initialization options ``isolated`` / ``noPythonRules`` (an
    editor's untrusted-workspace mode); they never loosen what the command line set."""
    isolated = trust.isolated or options.get("isolated") is True
    python_rules = trust.python_rules and options.get("noPythonRules") is not True
    for key in ("isolated", "noPythonRules"):
        if key in options and not isinstance(options[key], bool):
            log.warning("initialization option %s is not a boolean: ignored", key)
    return Trust(isolated, python_rules and not isolated)


def kind_of(ls: NimlintServer, path: Path, state: State | None, doc) -> tuple[str, str]:
    """The kind a document was linted as and how (detected, config), as the last lint said."""
    if state is not None:
        for entry in state.outcome.kinds:
            if entry.index == doc.index:
                return entry.kind, entry.how
    configured = ls.engine.configured_kind(path)
    if configured:
        return configured, "config"
    from nimlint.schema.kinds import best_fit

    schemas = ls.engine.schemas(path)
    return best_fit(doc.data, schemas.shape if schemas else None)[0], "detected"


def hover_text(ls: NimlintServer, path: Path, state: State, params: types.HoverParams):
    lines = state.lines
    offset = lines.offset(params.position)
    line = params.position.line
    column = offset - lines.starts[line] - (lines.bom if line == 0 else 0)
    line_text = lines.line_text(line)
    if "nimlint:" in line_text:
        selector = hover.rule_at(line_text, offset - lines.starts[line])
        if selector:
            return hover.rule_text(selector, ls.engine.rules(path))
    schemas = ls.engine.schemas(path)
    if schemas is None or state.outcome.skipped:
        return None
    text = state.text[lines.bom :]
    spot = cursor.locate(cursor.parse(text, path.suffix.lower() == ".json"), line + 1, column + 1)
    if spot is None:
        return None
    kind, how = kind_of(ls, path, state, spot.document)
    return hover.field_text(schemas.schemas[kind], spot.pointer, kind, how)


def completions(ls, path: Path, text: str, state: State | None, position) -> list:
    schemas = ls.engine.schemas(path)
    if schemas is None:
        return []

    def schema_of(docs, index):
        kind, _ = kind_of(ls, path, state, docs[index])
        return kind, schemas.schemas[kind]

    return completion.complete(text, position, schema_of)


def _wanted(kind: str, only: list[str] | None) -> bool:
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def code_actions(ls: NimlintServer, uri: str, state: State, params: types.CodeActionParams):
    only = params.context.only
    lines, version = state.lines, state.version
    path = ls.path_of(uri)
    found: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        wanted = params.range
        checked = 0  # each suppression action costs two lints: a few findings' worth per request
        for finding, diag in zip(state.outcome.findings, state.diagnostics, strict=True):
            if not _overlaps(diag.range, wanted):
                continue
            action = actions.quick_fix(finding, diag, lines, uri, version)
            if action is not None:
                found.append(action)
            if path.suffix.lower() != ".json" and checked < MAX_SUPPRESSION_CHECKS:
                checked += 1
                found.extend(_suppressions(ls, finding, diag, state, path, uri))
    safe = any(f.fix and f.fix.applicability == "safe" for f in state.outcome.findings)
    if safe and _wanted(actions.FIX_ALL, only):
        key = (uri, state.version)
        fixed = ls.fixed.get(key, False)
        if fixed is False:
            fixed = ls.engine.fix_all(state.text, path)
            ls.fixed = {key: fixed}  # the buffer asked about last (replaced whole: no race)
        if fixed is not None and fixed != state.text:
            found.append(actions.fix_all(state.text, fixed, lines, uri, version))
    return found


def _suppressions(ls, finding, diag, state: State, path: Path, uri: str):
    """The disable-on-line and disable-for-file actions that really silence the finding
    (checked by linting the edited text: a comment inside a block scalar would be text)."""
    for title, edit in (
        actions.disable_on_line(finding, state.lines),
        actions.disable_for_file(finding, state.lines),
    ):
        edited = actions.apply(state.text, state.lines, [edit])
        after = ls.engine.lint(edited, path)
        if after.error or _noise(after.findings) > _noise(state.outcome.findings):
            continue  # the comment would be unused or invalid itself
        shift = 1 if "disable-file" in edit.new_text else 0
        line = finding.line + shift
        if any(f[:3] == finding[:3] and f.line == line for f in after.findings):
            continue
        yield actions.suppression(title, edit, diag, uri, state.version)


def _noise(findings) -> int:
    """Unused (X001) and invalid (X003) suppressions."""
    return sum(f.rule in ("X001", "X003") for f in findings)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    start = lambda r: (r.start.line, r.start.character)  # noqa: E731
    end = lambda r: (r.end.line, r.end.character)  # noqa: E731
    return start(a) <= end(b) and start(b) <= end(a)


def watch_parent(pids: list[int]) -> None:
    """Exit when the editor dies without saying exit: the process that started this one is
    gone (this process was handed to another parent), or one of ``pids`` is (the client's
    ``processId``, added on initialize)."""
    parent = os.getppid()

    def alive(process: int) -> bool:
        try:
            os.kill(process, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent or not all(map(alive, pids)):
                log.info("the editor's process is gone: exiting")
                os._exit(0)

    threading.Thread(target=watch, name="nimlint-parent-watch", daemon=True).start()


class _ClientLog(logging.Handler):
    """Log records as window/logMessage notifications (never on stdout)."""

    LEVELS: ClassVar = {
        logging.ERROR: types.MessageType.Error,
        logging.WARNING: types.MessageType.Warning,
        logging.INFO: types.MessageType.Info,
    }

    def __init__(self, ls: NimlintServer):
        super().__init__(logging.DEBUG)
        self.ls = ls
        self.busy = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self.busy, "on", False):
            return
        self.busy.on = True
        try:
            level = next((t for lv, t in self.LEVELS.items() if record.levelno >= lv), None)
            message = printable_lines(self.format(record))
            params = types.LogMessageParams(level or types.MessageType.Log, message)
            loop, out = self.ls.loop_ref, self.ls.out
            if loop is not None and loop.is_running() and out is not None and not out.closed:
                loop.call_soon_threadsafe(self.ls.window_log_message, params)
        except Exception:  # noqa: BLE001 - logging must never raise
            pass
        finally:
            self.busy.on = False


def run(trust: Trust) -> NoReturn:
    """Serve over stdio until exit, then end the process."""
    protocol_in = os.fdopen(os.dup(0), "rb")
    protocol_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # a rule that reads stdin gets nothing, not the protocol
    os.dup2(2, 1)  # a rule that prints writes to stderr, not into the protocol
    os.close(devnull)
    sys.stdin, sys.stdout = open(os.devnull), sys.stderr  # noqa: SIM115 - for the whole run

    ls = build(trust)
    ls.out = protocol_out
    handler = _ClientLog(ls)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("nimlint").setLevel(
        logging.DEBUG if os.environ.get("NIMLINT_SERVER_DEBUG") else logging.INFO
    )
    logging.captureWarnings(True)
    watch_parent(ls.parents)
    ls.start_io(protocol_in, protocol_out)
    end(ls)  # stdin ended without exit


def end(ls: NimlintServer) -> NoReturn:
    """End the process now, with the code LSP asks for (0 after shutdown, else 1): pygls's
    reader thread still waits on stdin, and joining it would wait for the editor to close it."""
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0 if ls.protocol._shutdown else 1)
