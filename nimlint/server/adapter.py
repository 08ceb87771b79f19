"""The server's one door into nimlint's linting API (nimlint.lint, nimlint.fixer).

Everything else in nimlint.server sees findings, kinds, schemas and rules through this module,
so a change of that API is adapted here alone. A buffer is linted as ``nimlint check`` lints
the file on disk: same name, same folder (so the same configuration), walked (a document with
no NIM body gets nothing).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from nimlint.config import load_config
from nimlint.findings import DocumentKind, Finding
from nimlint.lint import Linter, Options, UsageError


class Trust(NamedTuple):
    """What checkout code may run: ``isolated`` reads no configuration file; without
    ``python_rules`` no Python rule module is imported (``--isolated``, ``--no-python-rules``)."""

    isolated: bool = False
    python_rules: bool = True


class Outcome(NamedTuple):
    """One lint of a buffer: its findings (fixes attached), each document's kind, whether it
    was skipped (no NIM body), and the configuration error that stopped it ("" if none)."""

    findings: tuple[Finding, ...] = ()
    kinds: tuple[DocumentKind, ...] = ()
    skipped: bool = False
    error: str = ""


def encode(text: str) -> bytes:
    """The bytes of a buffer: a lone surrogate stays invalid UTF-8, reported as the CLI would."""
    return text.encode("utf-8", "surrogatepass")


class Engine:
    """Lints buffers under one trust setting; ``reset`` forgets every configuration read."""

    def __init__(self, trust: Trust):
        self.trust = trust
        self._lock = threading.Lock()  # the linter's caches are not built for two threads
        self.reset()

    def _options(self, **more) -> Options:
        return Options(
            isolated=self.trust.isolated,
            python_rules=self.trust.python_rules and not self.trust.isolated,
            **more,
        )

    def reset(self) -> None:
        with self._lock:
            load_config.cache_clear()  # read once per process for the CLI; here, per change
            self._linter = Linter(self._options(fixes=True))
            self._fixer = Linter(self._options(fix="safe"))

    def lint(self, text: str, path: Path) -> Outcome:
        with self._lock:
            try:
                linted = self._linter.lint_file(encode(text), str(path), path.parent, walked=True)
            except UsageError as exc:
                return Outcome(error="\n".join(map(str, exc.args)))
            findings = linted.findings
            if linted.candidates is not None:  # each finding's verified fix, as --format json
                from nimlint.fixer import attach_fixes

                findings = attach_fixes(findings, linted.candidates)
        return Outcome(tuple(findings), tuple(linted.kinds), linted.skipped)

    def fix_all(self, text: str, path: Path) -> str | None:
        """The text ``nimlint check --fix`` writes for this buffer (None: it writes nothing)."""
        with self._lock:
            try:
                fixed = self._fixer.fix_bytes(encode(text), str(path), path.parent, str(path))
            except UsageError:
                return None
        return fixed.bom + fixed.text if fixed.changed else None

    def schemas(self, path: Path):
        """The SchemaSet (nimlint.schema.schemaset) in use for ``path``; None on a bad config."""
        setup = self._setup(path)
        return setup and setup.schemas

    def rules(self, path: Path) -> Mapping:
        """Every rule (id -> nimlint.engine.model.Rule) in use for ``path``."""
        setup = self._setup(path)
        return setup.registry if setup else {}

    def configured_kind(self, path: Path) -> str | None:
        """The kind ``kinds:`` gives ``path``, if any."""
        setup = self._setup(path)
        return setup.config.kind_of(str(path)) if setup else None

    def _setup(self, path: Path):
        with self._lock:
            try:
                return self._linter.setup_for(path.parent)
            except UsageError:
                return None

    def dependencies(self) -> set[Path]:
        """Every file the configurations read so far depend on: the configuration files, their
        policies, bases, rule files and OpenAPI documents (to watch for changes)."""
        with self._lock:
            setups = list(self._linter.setups)
        found: set[Path] = set()
        for setup in setups:
            config = setup.config
            found.update(p for p in (config.source, config.openapi) if p is not None)
            found.update(config.policy)
            found.update(config.extra_rules)
            found.update(path for _, path in config.bases)
        return {p.resolve() for p in found}
