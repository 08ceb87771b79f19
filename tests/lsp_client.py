"""A real LSP client over stdio (pygls's) driving ``nimlint server``, behind a plain
synchronous facade: one event loop in a thread, so one server can serve many tests."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TIMEOUT = 60  # seconds: a shared 2-core machine can be slow, a hung server is not


class Session:
    """``nimlint server`` started in ``cwd``, initialized with ``options``."""

    def __init__(self, cwd: Path, *args: str, options: Any = None, watch: bool = True):
        self.cwd = cwd
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.published: dict[str, list[tuple[int | None, list[types.Diagnostic]]]] = {}
        self.logs: list[types.LogMessageParams] = []
        self.shown: list[types.ShowMessageParams] = []
        self.registrations: list[types.Registration] = []
        self.versions: dict[str, int] = {}
        self.stderr = b""
        self._waiters: dict[tuple[str, int | None], asyncio.Future] = {}
        self.client = self.run(self._start(args, options, watch))

    def run(self, coro, timeout: float = TIMEOUT):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self, args, options, watch) -> LanguageClient:
        client = LanguageClient("nimlint-tests", "1")

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            diagnostics = list(params.diagnostics)
            self.published.setdefault(params.uri, []).append((params.version, diagnostics))
            waiter = self._waiters.pop((params.uri, params.version), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(diagnostics)

        @client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.logs.append(params)

        @client.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams) -> None:
            self.shown.append(params)

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            self.registrations.extend(params.registrations)

        @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
        def unregister(params: types.UnregistrationParams) -> None:
            gone = {u.id for u in params.unregisterations}
            self.registrations = [r for r in self.registrations if r.id not in gone]

        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        await client.start_io(
            sys.executable, "-m", "nimlint", "server", *args, cwd=self.cwd, env=env
        )
        self.process = client._server
        self._stderr_task = asyncio.ensure_future(self._drain(self.process.stderr))
        capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                    dynamic_registration=watch
                )
            )
        )
        await client.initialize_async(
            types.InitializeParams(
                capabilities=capabilities,
                process_id=os.getpid(),
                root_uri=self.cwd.as_uri(),
                initialization_options=options,
            )
        )
        client.initialized(types.InitializedParams())
        return client

    async def _drain(self, stream) -> None:
        while chunk := await stream.read(65536):
            self.stderr += chunk

    def _wait(self, uri: str, version: int | None) -> asyncio.Future:
        future = self.loop.create_future()
        self._waiters[uri, version] = future
        return future

    async def _notify_and_wait(self, uri: str, version: int, send) -> list[types.Diagnostic]:
        waiter = self._wait(uri, version)
        send()
        return await asyncio.wait_for(waiter, TIMEOUT)

    def open(self, path: Path, text: str, language: str = "yaml") -> list[types.Diagnostic]:
        """Open a buffer holding ``text`` (not what is on disk); its diagnostics."""
        return self.open_uri(path.absolute().as_uri(), text, language)

    def open_uri(self, uri: str, text: str, language: str = "yaml") -> list[types.Diagnostic]:
        self.versions[uri] = 1
        item = types.TextDocumentItem(uri, language, 1, text)
        send = lambda: self.client.text_document_did_open(  # noqa: E731
            types.DidOpenTextDocumentParams(item)
        )
        return self.run(self._notify_and_wait(uri, 1, send))

    def change(self, path: Path, text: str) -> list[types.Diagnostic]:
        """Replace the buffer's whole text; the diagnostics of the new version."""
        uri = path.absolute().as_uri()
        version = self.versions[uri] = self.versions[uri] + 1
        return self.run(self._notify_and_wait(uri, version, lambda: self._send_change(uri, text)))

    def _send_change(self, uri: str, text: str) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
                [types.TextDocumentContentChangeWholeDocument(text)],
            )
        )

    def changes(self, path: Path, texts: list[str]) -> list[types.Diagnostic]:
        """Send every text as one change after the other, at once; the last one's diagnostics."""
        uri = path.absolute().as_uri()

        def send() -> None:
            for text in texts:
                self.versions[uri] += 1
                self._send_change(uri, text)

        last = self.versions[uri] + len(texts)
        return self.run(self._notify_and_wait(uri, last, send))

    def watched_change(self, path: Path, until: Path) -> list[types.Diagnostic]:
        """Say that ``path`` changed on disk; the diagnostics republished for buffer ``until``."""
        uri = until.absolute().as_uri()
        event = types.FileEvent(path.absolute().as_uri(), types.FileChangeType.Changed)
        send = lambda: self.client.workspace_did_change_watched_files(  # noqa: E731
            types.DidChangeWatchedFilesParams([event])
        )
        return self.run(self._notify_and_wait(uri, self.versions[uri], send))

    def request(self, method: str, params: Any) -> Any:
        async def ask() -> Any:
            return await self.client.protocol.send_request_async(method, params)

        return self.run(ask())

    def close(self) -> int:
        """shutdown, exit; the server's exit code."""

        async def end() -> int:
            await self.client.shutdown_async(None)
            self.client.exit(None)
            code = await asyncio.wait_for(self.process.wait(), TIMEOUT)
            await self.client.stop()
            await self._stderr_task
            return code

        try:
            return self.run(end())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(TIMEOUT)


def position(text: str, needle: str, offset: int = 0) -> types.Position:
    """The LSP position of ``needle`` (plus ``offset`` characters) in ASCII ``text``."""
    at = text.index(needle) + offset
    line = text.count("\n", 0, at)
    return types.Position(line, at - (text.rfind("\n", 0, at) + 1))


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` (ASCII) with LSP edits applied, as an editor would."""
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)

    def offset(p: types.Position) -> int:
        return starts[p.line] + p.character if p.line < len(starts) else len(text)

    ordered = sorted(edits, key=lambda e: offset(e.range.start), reverse=True)
    for edit in ordered:
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text
