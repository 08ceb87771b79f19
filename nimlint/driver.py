"""The file-level driver: read each file, run the pipeline on it, fix it when asked, and
gather what every file gave into one LintResult."""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from nimlint.capping import MAX_PER_RUN, Cap
from nimlint.discovery import STDIN, Discovery
from nimlint.files import NotRegularFile, read_regular
from nimlint.findings import DocumentKind, Finding, Severity
from nimlint.loading.layout import LINE_BREAK
from nimlint.loading.model import ParseFailure
from nimlint.loading.source import MAX_FILE_BYTES, decode
from nimlint.messages import clip
from nimlint.options import Options, UsageError
from nimlint.pipeline import FileLint, Layers, lint_source
from nimlint.setups import Setup, Setups
from nimlint.targets import find_targets


class LintResult:
    """Findings in file order, every file linted, the paths that could not be read, notes.

    ``fail_on``: each linted file's own ``fail-on`` (see ``findings.fails``).
    """

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.files: list[str] = []
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.rules: dict = {}
        self.fail_on: dict[str, Severity] = {}
        self.fixed: list = []  # FixedFile for each file a fix changed
        self.policed: list[tuple[str, int]] = []  # (file, document) under a policy
        self.sources: dict[str, dict[int, str]] = {}
        self.kinds: dict[str, list[DocumentKind]] = {}  # file -> its documents' kinds
        self.skipped: list[str] = []  # walked files with no NIM body
        self.failed: list[str] = []  # files not linted: unreadable, or an internal error
        self.cap = Cap(MAX_PER_RUN)  # what is left out past the caps: self.cap.omitted

    def keep(self, findings: list[Finding], omitted: Mapping) -> list[Finding]:
        """Add a file's findings (and its count of those past the file's cap) under the
        run's cap; return those kept."""
        kept = self.cap.take(findings)
        self.findings.extend(kept)
        self.cap.omitted.update(omitted)
        return kept

    def extend(self, part: LintResult) -> None:
        """Add what linting more files gave (a worker's chunk), after what this holds."""
        self.keep(part.findings, part.cap.omitted)
        self.files.extend(part.files)
        self.errors.extend(part.errors)
        self.fixed.extend(part.fixed)
        self.policed.extend(part.policed)
        self.sources.update(part.sources)
        self.kinds.update(part.kinds)
        self.skipped.extend(part.skipped)
        self.failed.extend(part.failed)
        self.fail_on.update(part.fail_on)


class Linter:
    """Lints files, each under its folder's configuration (Setups built once and cached)."""

    def __init__(self, options: Options | None = None):
        self.options = options or Options()
        self.setups = Setups(self.options)
        self.layers = Layers(self.options)

    def setup_for(self, folder: Path) -> Setup:
        return self.setups.for_folder(folder)

    def discover(self, paths: Sequence[str]) -> Discovery:
        """The files to lint for ``paths`` (folders walked with their walk rules)."""
        return find_targets(paths, self.options)

    def lint_file(self, raw: bytes, name: str, folder: Path, *, walked: bool = False) -> FileLint:
        """Lint one file's content; ``name`` is used in findings and per-file ignores. A
        ``walked`` file that holds no NIM body is skipped."""
        return lint_source(raw, name, self.setup_for(folder), self.layers, walked=walked)

    def lint_bytes(self, raw: bytes, name: str, folder: Path) -> list[Finding]:
        """The findings of one file's content, with their fixes when fixes are wanted."""
        linted = self.lint_file(raw, name, folder)
        return _with_fixes(linted)

    def fix_bytes(self, raw: bytes, name: str, folder: Path, path: str | None = None):
        """The FixedFile of one file's content, fixed as ``options.fix`` says."""
        return _fix(self, self.lint_file(raw, name, folder), raw, path or name, name, folder)


def _with_fixes(linted: FileLint) -> list[Finding]:
    if linted.candidates is None:
        return linted.findings
    from nimlint.fixer import attach_fixes

    return attach_fixes(linted.findings, linted.candidates)


def lint_paths(
    paths: Sequence[str], options: Options | None = None, *, stdin: bytes = b""
) -> LintResult:
    """Lint files and directories (``-`` is ``stdin``). Raises UsageError for bad config."""
    linter = Linter(options)
    found = linter.discover(paths)
    result = lint_files(linter, found.files, stdin=stdin, walked=found.walked)
    result.errors[:0] = found.errors + found.bodiless([*result.files, *result.failed])
    result.notes[:0] = found.notes
    return result


def lint_files(
    linter: Linter, files: Sequence[str], *, stdin: bytes = b"", walked: Collection[str] = ()
) -> LintResult:
    """Lint a list of files (no directories) with ``linter``; ``walked`` ones may be skipped."""
    result = LintResult()
    folders: dict[str, Path] = {}  # one Path per folder, not per file
    options = linter.options
    for path in files:
        name, where, raw = _read(path, options, stdin, result)
        if raw is None:
            result.failed.append(name)
            continue
        folder = folders.get(where)
        if folder is None:
            folder = folders[where] = Path(where)
        setup = linter.setup_for(folder)  # a bad configuration stops the run (UsageError)
        try:
            linted, findings, fixed = _lint_one(linter, raw, path, name, folder, path in walked)
        except UsageError:  # a bad --base or configuration, met when first needed: stop the run
            raise
        except Exception as exc:  # noqa: BLE001 - a bug met in one file must not end the run
            # Every other file is still linted, fixed and reported (CI's JSON and SARIF too).
            reason = clip(f"{type(exc).__name__}: {exc}")
            result.errors.append(f"{name}: not linted: internal error: {reason} (please report it)")
            result.failed.append(name)
            continue
        if linted.skipped:
            result.skipped.append(name)
            continue
        result.files.append(name)
        result.kinds[name] = linted.kinds
        result.policed.extend((name, index) for index in linted.policed)
        if fixed is not None and fixed.changed:
            result.fixed.append(fixed)
            raw = fixed.encoded()
        findings = result.keep(findings, linted.omitted)
        result.fail_on[name] = setup.config.fail_on
        if findings and options.excerpts:
            result.sources[name] = source_lines(raw, {f.line for f in findings})
    record_setups(linter, result)
    return result


def _lint_one(linter: Linter, raw: bytes, path: str, name: str, folder: Path, walked: bool):
    """One file's FileLint, its findings (with their fixes) and, under --fix, its FixedFile."""
    linted = linter.lint_file(raw, name, folder, walked=walked)
    if linted.skipped:
        return linted, [], None
    if linter.options.fix:
        fixed = _fix(linter, linted, raw, path, name, folder)
        return linted, fixed.findings, fixed
    return linted, _with_fixes(linted), None


def _fix(linter: Linter, linted: FileLint, raw: bytes, path: str, name: str, folder: Path):
    """The FixedFile of one file: fixed until no fix applies (``linted``: its first lint)."""
    from nimlint.fixer import fix_file

    def lint(text: bytes) -> tuple:
        again = linter.lint_file(text, name, folder)
        return again.findings, again.candidates

    first = (linted.findings, linted.candidates)
    return fix_file(lint, raw, path, name, linter.options.fix == "unsafe", first)


def record_setups(linter: Linter, result: LintResult) -> None:
    """Add the rules of every configuration used, and a note per rule module not imported."""
    for setup in linter.setups:
        result.rules.update(setup.registry)
        result.notes.extend(
            f"{path}: Python rule module not imported (--no-python-rules or --isolated)"
            for path in setup.registry.skipped
        )


def _read(path: str, options: Options, stdin: bytes, result: LintResult):
    """(name, folder, content) of ``path``; content None (and an error line) if unreadable."""
    if path == STDIN:
        name = options.stdin_filename or STDIN
        return name, os.path.dirname(name) if options.stdin_filename else os.getcwd(), stdin
    try:
        return path, os.path.dirname(path), read_regular(path, MAX_FILE_BYTES)
    except NotRegularFile:  # a FIFO or device would block or never end
        result.errors.append(f"{path}: not a regular file")
        return path, None, None
    except OSError as exc:
        result.errors.append(f"{path}: cannot read: {exc.strerror or exc}")
        return path, None, None


_SPLIT_LINES_LIMIT = 256 * 1024  # characters


def source_lines(raw: bytes, wanted: set[int]) -> dict[int, str]:
    """The text of the ``wanted`` 1-based lines of a file (for excerpts in reports)."""
    text = decode(raw)
    if isinstance(text, ParseFailure) or not wanted:
        return {}
    last = max(wanted)
    # Only \n breaks lines: split in C, up to the last line wanted. Not in a big file, where
    # the split lines would all be alive at once (a 21 MB stream: +50 MB peak RSS).
    if "\r" not in text and len(text) <= _SPLIT_LINES_LIMIT:
        parts = text.split("\n", last)
        return {n: parts[n - 1] for n in wanted if 0 < n <= len(parts)}
    lines: dict[int, str] = {}
    number, start = 1, 0
    for brk in re.finditer(LINE_BREAK, text):  # compiled (and cached by re) when used
        if number in wanted:
            lines[number] = text[start : brk.start()]
        number, start = number + 1, brk.end()
        if number > last:
            return lines
    if number in wanted:
        lines[number] = text[start:]
    return lines
