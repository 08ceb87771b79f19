"""The plain API: lint files or text and get findings back. No click, no printing."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from nimlint.config import Config, ConfigError, find_config_file, load_config
from nimlint.discovery import DEFAULT_EXCLUDE, STDIN, Discovery, WalkRules, discover
from nimlint.engine.context import Context
from nimlint.engine.declarative import RuleFileError
from nimlint.engine.registry import Registry, build_registry
from nimlint.files import NotRegularFile, read_regular
from nimlint.findings import DocumentKind, Finding, Fix, Problem, Repair, Severity
from nimlint.loading.layout import LINE_BREAK, Layout
from nimlint.loading.model import Document, ParseFailure
from nimlint.loading.source import MAX_FILE_BYTES, decode, documents
from nimlint.messages import json_type, type_words
from nimlint.schema.kinds import KINDS, best_fit, envelope_keys, is_nim_body
from nimlint.schema.schemaset import OpenAPIError, SchemaSet, from_openapi, shipped
from nimlint.schema.unknown_keys import unknown_key_problems, yaml11_problems
from nimlint.schema.validate import schema_problems


class UsageError(Exception):
    """A problem with how nimlint was asked to run (exit code 2); one message per argument."""


# Records here are NamedTuples or plain classes: a dataclass decorator costs start-up time.


class Options(NamedTuple):
    """How to lint: a forced document kind, a config file, command-line overrides.

    ``isolated`` reads no configuration file; without ``python_rules`` no Python rule module
    (plugin, --rules or extra-rules) is imported.
    """

    kind: str | None = None
    config_file: Path | None = None
    overrides: Mapping[str, Any] = MappingProxyType({})
    extra_rules: tuple[Path, ...] = ()
    stdin_filename: str | None = None
    plugins: bool = True
    base: Path | None = None  # PATCH preview: the running service every update applies to
    fixes: bool = False  # attach each finding's fix (for --fix, --diff, JSON and SARIF)
    fix: str = ""  # apply fixes: "safe", or "unsafe" for safe and unsafe ones
    policies: tuple[Path, ...] = ()  # --policy files (replace the configuration's)
    isolated: bool = False
    python_rules: bool = True
    exclude: tuple[str, ...] = ()  # gitignore-style, relative to the working folder
    respect_gitignore: bool = True

    @property
    def wants_fixes(self) -> bool:
        return self.fixes or bool(self.fix)


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


class Linted:
    """What linting one file gave: findings, each document's kind, or skipped (not NIM)."""

    __slots__ = ("findings", "kinds", "skipped")

    def __init__(self, findings: list[Finding], *, skipped: bool = False) -> None:
        self.findings = findings
        self.kinds: list[DocumentKind] = []
        self.skipped = skipped


class Setup:
    """Everything needed to lint under one configuration, and the semantic rules it runs."""

    def __init__(self, config: Config, registry: Registry, schemas: SchemaSet, policy=None):
        self.config = config
        self.registry = registry
        self.schemas = schemas
        self.policy = policy  # the merged policy (nimlint.policy.merge.MergedPolicy), if any
        checks = [r for r in registry.checks if config.enabled(r.id, "")]
        # The rules that check each kind of document, in registry order.
        self.checks = {kind: tuple(r for r in checks if kind in r.kinds) for kind in KINDS}


class Linter:
    """Lints files; builds (and caches) one Setup per configuration file in use."""

    def __init__(self, options: Options | None = None):
        self.options = options or Options()
        self._setups: dict[Path | None, Setup] = {}
        self._folders: dict[Path, Setup] = {}
        self._bases: dict[Path, Any] = {}  # loaded base layers (PATCH preview), by path
        self._known: dict[tuple[Path, int], Any] = {}  # what each base reports, per Setup
        self.policed: list[tuple[str, int]] = []  # (file, document index) linted under a policy

    @property
    def setups(self) -> list[Setup]:
        """Every configuration this linter has used so far."""
        return list(self._setups.values())

    def setup_for(self, folder: Path) -> Setup:
        """The Setup for files in ``folder`` (config found upward, or --config)."""
        setup = self._folders.get(folder)
        if setup is None:
            try:
                setup = self._folders[folder] = self._setup_from(self._config_file(folder))
            except ConfigError as exc:
                raise UsageError(*exc.args) from None
        return setup

    def _config_file(self, folder: Path) -> Path | None:
        if self.options.isolated:
            return None
        return self.options.config_file or find_config_file(folder.resolve())

    def _setup_from(self, source: Path | None) -> Setup:
        if source not in self._setups:
            base = load_config(source.resolve()) if source else Config()
            config = base.merged(self.options.overrides)
            extra = (*config.extra_rules, *self.options.extra_rules)
            try:
                registry = build_registry(
                    extra, plugins=self.options.plugins, python_rules=self.options.python_rules
                )
                schemas = from_openapi(config.openapi) if config.openapi else shipped()
            except (RuleFileError, OpenAPIError) as exc:
                raise UsageError(str(exc)) from None
            config = resolve_rule_names(config, registry)
            check_selectors(config, registry)
            policy = merged_policy(self.options.policies or config.policy)
            self._setups[source] = Setup(config, registry, schemas, policy)
        return self._setups[source]

    def walk_rules(self, folder: Path) -> WalkRules:
        """How to walk ``folder``: the excludes of its configuration and of the command line."""
        source = self._config_file(folder)
        try:
            config = load_config(source.resolve()) if source else Config()
        except ConfigError as exc:
            raise UsageError(*exc.args) from None
        root = config.folder()
        patterns = [(root, config.exclude or ()), (root, config.extend_exclude)]
        return WalkRules(
            names=DEFAULT_EXCLUDE if config.exclude is None else (),
            patterns=(*patterns, (Path.cwd(), self.options.exclude)),
            respect_gitignore=config.respect_gitignore and self.options.respect_gitignore,
        )

    def discover(self, paths: Sequence[str]) -> Discovery:
        """The files to lint for ``paths`` (folders walked with their walk rules)."""
        return discover(paths, self.walk_rules)

    def lint_bytes(self, raw: bytes, name: str, folder: Path) -> list[Finding]:
        """Lint one file's content; ``name`` is used in findings and per-file ignores."""
        return self.lint_file(raw, name, folder).findings

    def lint_file(self, raw: bytes, name: str, folder: Path, *, walked: bool = False) -> Linted:
        """Lint one file's content. A ``walked`` file that holds no NIM body is skipped."""
        setup = self.setup_for(folder)
        text = decode(raw)
        if isinstance(text, ParseFailure):
            problems = [(text.rule, text.span, text.message)]
            return Linted(_findings(problems, name, setup))
        is_json = name.lower().endswith(".json")
        layout = Layout()
        items = documents(text, is_json=is_json, layout=layout)  # linted and dropped one by one
        if walked:
            items = _if_any_nim_body(items)
            if items is None:
                return Linted([], skipped=True)
        base = self.options.base or setup.config.base_for(name)
        linted = Linted([])
        placed = list(self._problems(items, text, is_json, setup, name, linted.kinds, base))
        if any(entry[0] == "P001" for entry in placed):  # never fix around a syntax error
            placed = [entry[:4] for entry in placed]
        findings = _findings(placed, name, setup)
        if not is_json and "nimlint:" in text:
            findings = _suppressed(findings, text, layout, name, setup)
        linted.findings = sorted(findings, key=Finding.sort_key)
        return linted

    def _problems(
        self,
        items: Iterable,
        text: str,
        is_json: bool,
        setup: Setup,
        name: str,
        kinds: list,
        base: Path | None,
    ) -> Iterator[tuple]:
        configured = self.options.kind or setup.config.kind_of(name)
        how = "option" if self.options.kind else "config"
        empty = True
        source = None
        for item in items:
            if isinstance(item, ParseFailure):
                empty = False
                yield item.rule, item.span, item.message
                continue
            if item.data is None and not item.problems:
                continue  # an empty document (a trailing ---): kubectl ignores it too
            empty = False
            kind, fits = configured, False
            if kind is None and isinstance(item.data, dict):
                kind, misfits = best_fit(item.data, setup.schemas.shape)
                fits = misfits == 0
            if kind is not None:
                kinds.append(DocumentKind(item.index, kind, how if configured else "detected"))
            own = []
            if self._under_policy(item, setup, kind):
                own = list(self._policed(item, setup, name, kind))
                yield from own
                continue
            for rule, problem in self.check_document(item, setup, kind, fits=fits):
                fix = None
                if problem.repair is not None and self.options.wants_fixes:
                    from nimlint.engine.fix_edits import SourceText

                    source = source or SourceText(text, is_json)
                    if source.budget > 0:  # each fix costs a parse: bounded per file
                        fix = _fix(setup.registry.get(rule), problem.repair, item, source)
                span = item.span(problem.pointer, problem.at)
                own.append(
                    (
                        rule,
                        span,
                        problem.message,
                        problem.pointer,
                        fix,
                        item.index,
                        problem.compliance,
                    )
                )
            yield from own
            if base is not None and kind == "update":
                seen = {placed[:3] for placed in own}
                previewed = self._preview(item, setup, name, base)
                for placed in previewed:
                    if placed[:3] not in seen:
                        yield (*placed, None, item.index)
        if empty:
            yield "P004", None, "no document: the file holds only blank lines, comments or ---"

    def _preview(self, doc: Document, setup: Setup, name: str, base: Path) -> Iterator[tuple]:
        """Findings of update ``doc`` applied to the service in ``base`` (imported lazily)."""
        from nimlint.effective import preview as patch
        from nimlint.effective.merge import Layer

        if base not in self._bases:
            try:
                self._bases[base] = patch.load_base(base)
            except patch.BaseError as exc:
                raise UsageError(*exc.args) from None

        layer = extend = None
        if setup.policy is not None:
            from nimlint.policy.document import PolicyLayer

            layer = PolicyLayer(setup.policy)
            extend = layer.extend

        def check(merged: Document) -> Iterator[tuple[str, Problem]]:
            yield from self.check_document(merged, setup, patch.KIND)
            if layer is not None:
                yield from layer.problems()

        known = self._known.get((base, id(setup)))
        if known is None:
            known = patch.base_findings(check, self._bases[base], extend)
            self._known[base, id(setup)] = known
        return patch.preview(check, self._bases[base], Layer(name, doc), known, extend)

    def _under_policy(self, doc: Document, setup: Setup, kind: str | None) -> bool:
        """Is ``doc``, read as ``kind``, a create request to check against the setup's policy?"""
        if setup.policy is None or not isinstance(doc.data, dict):
            return False
        from nimlint.policy.decisions import CHECKED_KINDS

        return kind in CHECKED_KINDS

    def _policed(self, doc: Document, setup: Setup, name: str, kind: str) -> Iterator[tuple]:
        """Findings of create request ``doc`` under the setup's policy (imported lazily)."""
        from nimlint.policy.document import policed

        self.policed.append((name, doc.index))
        misplaced = envelope_keys(doc.data)
        for rule, problem in (
            *doc.problems,
            *_envelope_problems(misplaced),
            *yaml11_problems(doc, setup.schemas.shape(kind)),
        ):
            span = doc.span(problem.pointer, problem.at)
            yield rule, span, problem.message, problem.pointer, None, doc.index

        def check(effective: Document) -> Iterator[tuple[str, Problem]]:
            return self._semantic(effective.data, kind, setup, misplaced)

        for rule, span, message, pointer, compliance in policed(check, doc, name, setup.policy):
            yield rule, span, message, pointer, None, doc.index, compliance

    def check_document(
        self, doc: Document, setup: Setup, kind: str | None = None, *, fits: bool = False
    ) -> Iterator[tuple[str, Problem]]:
        """Every (rule id, problem) of one document (``kind``: forced, else detected).

        ``fits``: the caller found no misfit of ``kind``'s shape, so no unknown key either.
        """
        yield from doc.problems
        if doc.data is None:
            return
        if not isinstance(doc.data, dict):
            what = type_words([json_type(doc.data)])
            yield "P003", Problem("", f"document {doc.index + 1} is {what}, not a mapping")
            return
        kind = kind or self.options.kind
        if kind is None:
            kind, misfits = best_fit(doc.data, setup.schemas.shape)
            fits = misfits == 0
        misplaced = envelope_keys(doc.data)
        yield from _envelope_problems(misplaced)
        yield from yaml11_problems(doc, setup.schemas.shape(kind))
        yield from self._semantic(doc.data, kind, setup, misplaced, fits=fits)

    def _semantic(
        self,
        data: Any,
        kind: str,
        setup: Setup,
        misplaced: Sequence[str] = (),
        *,
        fits: bool = False,
    ) -> Iterator[tuple[str, Problem]]:
        """Schema, unknown keys (none when ``data`` ``fits`` its kind) and every rule, on
        ``data`` (``misplaced``: K015's keys)."""
        schemas = setup.schemas
        unknown = () if fits else unknown_key_problems(data, schemas.shape(kind))
        for rule, problem in (*schema_problems(schemas, kind, data), *unknown):
            if not _said_by_envelope(rule, problem, misplaced):
                yield rule, problem
        if kind == "create" and "spec" in data and data["spec"] is None:
            data = {**data, "spec": {}}  # no spec is no image, no port: the create rules say so
        yield from _run_rules(setup.checks[kind], Context(data, kind))


def merged_policy(paths: Sequence[Path]):
    """The merged policy of ``paths`` (None without any); UsageError for a bad policy."""
    if not paths:
        return None
    from nimlint.policy.load import PolicyError, load_policy
    from nimlint.policy.merge import merge

    policies, problems = [], []
    for path in paths:
        try:
            policies.append(load_policy(path))
        except PolicyError as exc:
            problems.extend(exc.lines)
    try:
        if not problems:
            return merge(policies)
    except PolicyError as exc:
        problems.extend(exc.lines)
    raise UsageError("\n".join(problems))


def _if_any_nim_body(items: Iterator) -> Iterator | None:
    """``items`` again if one is a NIM body (or cannot be parsed), else None: reads only as far
    as the first such document, holding just the documents before it."""
    before = []
    for item in items:
        before.append(item)
        if isinstance(item, ParseFailure) or is_nim_body(item.data):
            return itertools.chain(before, items)
    return None


def _envelope_problems(misplaced: Sequence[str]) -> list[tuple[str, Problem]]:
    """K015 on each v1 envelope key at the top level."""
    return [
        (
            "K015",
            Problem(
                f"/{key}",
                f"{key!r} is at the top level, as in the v1 workload envelope: in a NIM "
                f"service body it belongs under metadata (metadata.{key})",
                "key",
            ),
        )
        for key in misplaced
    ]


def _said_by_envelope(rule: str, problem: Problem, misplaced: Sequence[str]) -> bool:
    """An unknown envelope key, or the missing metadata: K015 already says where they go."""
    if not misplaced:
        return False
    if rule == "S006":
        return problem.pointer == "" and problem.message.endswith("'metadata'")
    return rule == "S008" and problem.pointer.lstrip("/") in misplaced


def _run_rules(rules: Sequence, context: Context) -> list[tuple[str, Problem]]:
    """(rule id, problem) of each rule on ``context``; a crash is X002, after what it found."""
    found = []
    for rule in rules:
        try:
            for problem in rule.check(context):
                found.append((rule.id, problem))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit too: a rule cannot end the run
            found.append(
                ("X002", Problem("", f"rule {rule.id} crashed: {type(exc).__name__}: {exc}"))
            )
    return found


def _fix(rule, repair: Repair, doc: Document, source) -> Fix | None:
    """The fix of a finding, if its rule declares fixes and the repair fits the text."""
    if rule is None or rule.fix == "none":
        return None
    from nimlint.engine.fix_edits import resolve

    source.budget -= 1
    edits = resolve(repair, doc, source)
    return Fix(rule.fix, repair.message, edits) if edits else None


def _suppressed(
    findings: list[Finding], text: str, layout: Layout, name: str, setup: Setup
) -> list[Finding]:
    """Apply the file's suppression comments; report the unused (X001) and invalid (X003)."""
    from nimlint.engine.suppressions import apply, parse_directives  # only files that have some

    ids = list(setup.registry)
    known = lambda selector: any(i.startswith(selector) for i in ids)  # noqa: E731
    directives, invalid = parse_directives(text, layout, known)
    findings = apply(findings, directives)

    def disabled(selector: str) -> bool:  # a rule that cannot fire here silences nothing
        return not any(setup.config.enabled(i, name) for i in ids if i.startswith(selector))

    extra = [("X003", i.span, i.message) for i in invalid]
    extra += [
        ("X001", d.span, f"unused suppression: {rule} (nothing to silence here)")
        for d in directives
        for rule in d.unused()
        if rule == "every rule" or not disabled(rule)
    ]
    return findings + _findings(extra, name, setup)


def _findings(placed: Iterable[tuple], name: str, setup: Setup) -> list[Finding]:
    config, registry = setup.config, setup.registry
    out = []
    for rule_id, span, message, *located in placed:
        if not config.enabled(rule_id, name):
            continue
        severity = config.severity_of(rule_id, registry[rule_id].severity)
        line, column, end_line, end_column = (
            (span.line, span.column, span.end_line, span.end_column) if span else (1, 1, 1, 1)
        )
        out.append(
            Finding(
                rule_id,
                severity,
                message,
                name,
                line,
                column,
                end_line,
                end_column,
                located[0] if located else "",
                located[1] if len(located) > 1 else None,
                *located[2:],
            )
        )
    return out


def _names_rules(selector: str, registry: Registry) -> bool:
    return selector == "ALL" or any(rule.startswith(selector) for rule in registry)


def resolve_rule_names(config: Config, registry: Registry) -> Config:
    """``config`` with rule names (``unknown-key``) in selectors replaced by their ids."""
    ids = {rule.name.lower(): rule.id for rule in registry.values()}

    def to_id(selector: str) -> str:
        if _names_rules(selector, registry):
            return selector
        return ids.get(selector.lower(), selector)

    def all_ids(selectors: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(to_id(s) for s in selectors)

    return config._replace(
        select=all_ids(config.select),
        ignore=all_ids(config.ignore),
        per_file_ignores=tuple((glob, all_ids(s)) for glob, s in config.per_file_ignores),
        severity={to_id(s): level for s, level in config.severity.items()},
    )


def check_selectors(config: Config, registry: Registry) -> None:
    """Every id, prefix or name in the configuration must name at least one rule.

    Not checked when Python rule modules were skipped: the ids may be theirs.
    """
    if registry.skipped:
        return
    where = f"{config.source}: " if config.source else ""
    selectors = [
        *config.select,
        *config.ignore,
        *(i for _, ids in config.per_file_ignores for i in ids),
    ]
    unknown = [
        f"{where}unknown rule id, prefix or name {selector!r}"
        for selector in selectors
        if not _names_rules(selector, registry)
    ] + [
        f"{where}key 'severity': unknown rule id, prefix or name {selector!r}"
        for selector in config.severity
        if not _names_rules(selector, registry)
    ]
    if unknown:
        raise UsageError(*unknown)


def lint_paths(
    paths: Sequence[str], options: Options | None = None, *, stdin: bytes = b""
) -> LintResult:
    """Lint files and directories (``-`` is ``stdin``). Raises UsageError for bad config."""
    linter = Linter(options)
    found = linter.discover(paths)
    result = lint_files(linter, found.files, stdin=stdin, walked=found.walked)
    result.errors[:0] = found.errors
    return result


def lint_files(
    linter: Linter, files: Sequence[str], *, stdin: bytes = b"", walked: Collection[str] = ()
) -> LintResult:
    """Lint a list of files (no directories) with ``linter``; ``walked`` ones may be skipped."""
    result = LintResult()
    folders: dict[str, Path] = {}  # one Path per folder, not per file
    for path in files:
        name, where, raw = _read(path, linter.options, stdin, result)
        if raw is None:
            continue
        folder = folders.get(where)
        if folder is None:
            folder = folders[where] = Path(where)
        linted = linter.lint_file(raw, name, folder, walked=path in walked)
        if linted.skipped:
            result.skipped.append(name)
            continue
        result.files.append(name)
        result.kinds[name] = linted.kinds
        if linter.options.fix:
            from nimlint.fixer import fix_file

            fixed = fix_file(linter, raw, name, folder, path, linted.findings)
            findings = fixed.findings
            if fixed.changed:
                result.fixed.append(fixed)
                raw = fixed.encoded()
        else:
            findings = linted.findings
        result.findings.extend(findings)
        result.fail_on[name] = linter.setup_for(folder).config.fail_on
        if findings:
            result.sources[name] = source_lines(raw, {f.line for f in findings})
    result.policed, linter.policed = linter.policed, []
    record_setups(linter, result)
    return result


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


def lint_text(text: str, filename: str = "<text>", options: Options | None = None) -> list[Finding]:
    """Lint a string (YAML, or JSON when ``filename`` ends in .json)."""
    return Linter(options).lint_bytes(text.encode("utf-8"), filename, Path.cwd())
