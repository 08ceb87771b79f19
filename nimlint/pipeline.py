"""The per-document pipeline: one path for every document.

For each document of a file: its *views* are built (the document alone, or the effective
request its layers compose: a policy's defaults under a create request, the running service
under an update previewed with a base); schema and rules run once on each view; each finding
is placed back in the file the user edits. Then, per file: the configuration's selection and
severities, the suppression comments, and (when asked) the fix candidates.

A plain document is the one-layer case (``DocumentView``); the layered views live in
``nimlint.effective`` and ``nimlint.policy``, imported only when a base or a policy is in use.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from nimlint.capping import MAX_PER_FILE, Cap
from nimlint.engine.context import Context
from nimlint.findings import DocumentKind, Finding, Placed, Problem, Span
from nimlint.loading.layout import Layout
from nimlint.loading.model import Document, ParseFailure
from nimlint.loading.source import decode, documents
from nimlint.messages import clip, json_type, type_words
from nimlint.options import Options, UsageError
from nimlint.schema.deprecations import deprecated_problems
from nimlint.schema.kinds import (
    best_fit,
    envelope_keys,
    is_nim_body,
    kubernetes_object,
    not_a_body_message,
)
from nimlint.schema.unknown_keys import unknown_key_problems, yaml11_problems
from nimlint.schema.validate import as_written, schema_problems
from nimlint.setups import Setup

# Records here are NamedTuples or plain classes: a dataclass decorator costs start-up time.


class FileLint:
    """What linting one file gave: findings, each document's kind, the documents checked
    under a policy, the fix candidates (when fixes are wanted), or skipped (no NIM body)."""

    __slots__ = ("candidates", "findings", "kinds", "omitted", "policed", "skipped")

    def __init__(self, findings: list[Finding], *, skipped: bool = False) -> None:
        self.findings = findings
        self.kinds: list[DocumentKind] = []
        self.policed: list[int] = []
        self.skipped = skipped
        self.candidates = None  # nimlint.fixer.Candidates
        self.omitted: Mapping = {}  # findings past the file's cap, counted (capping.Omitted)


class DocumentView:
    """The document alone, read as ``kind``: the one-layer case. Findings are placed where
    the loader saw the field; nothing else adds problems."""

    __slots__ = ("doc", "fits", "kind")
    policed = False  # see effective.placement.LayeredView

    def __init__(self, doc: Document, kind: str, fits: bool = False):
        self.doc, self.kind, self.fits = doc, kind, fits

    @property
    def data(self) -> Any:
        return self.doc.data

    def extra(self) -> Iterable[tuple[str, Problem]]:
        return ()

    def direct(self) -> Iterable[Placed]:
        return ()

    def place(self, rule: str, problem: Problem) -> Placed:
        span = self.doc.span(problem.pointer, problem.at)
        return Placed(
            rule,
            span,
            problem.message,
            problem.pointer,
            problem.repair,
            self.doc.index,
            problem.compliance,
        )


class Layers:
    """The layers under a document, and what they cost to build, cached across files: loaded
    bases, and what each base reports on its own under each Setup (PATCH preview)."""

    def __init__(self, options: Options):
        self.options = options
        self._previews: dict[tuple[Path, int], Any] = {}

    def views(self, doc: Document, kind: str, fits: bool, setup: Setup, name: str) -> list:
        """The views of ``doc`` to check, in order; a later view reports only what an earlier
        one did not."""
        if setup.policy is not None and _policed_kind(kind):
            from nimlint.policy.document import PolicyView

            return [PolicyView(doc, name, kind, setup.policy)]
        views: list = [DocumentView(doc, kind, fits)]
        base = self.options.base or setup.config.base_for(name)
        if base is not None and kind == "update":
            views.append(self._preview(base, setup).view(doc, name))
        return views

    def _preview(self, base: Path, setup: Setup):
        """The PATCH preview of updates onto ``base`` under ``setup`` (built once)."""
        key = (base, id(setup))
        if key not in self._previews:
            from nimlint.effective.preview import BaseError, Preview, load_base

            try:
                layer = load_base(base)
            except BaseError as exc:
                raise UsageError(*exc.args) from None
            policy = None
            if setup.policy is not None:
                from nimlint.policy.document import PolicyLayer

                policy = PolicyLayer(setup.policy)
            self._previews[key] = Preview(layer, lambda d, k: check(d, k, setup), policy)
        return self._previews[key]


def _policed_kind(kind: str) -> bool:
    from nimlint.policy.decisions import CHECKED_KINDS

    return kind in CHECKED_KINDS


def lint_source(
    raw: bytes, name: str, setup: Setup, layers: Layers, *, walked: bool = False
) -> FileLint:
    """Lint one file's content. A ``walked`` file that holds no NIM body is skipped."""
    options = layers.options
    text = decode(raw)
    if isinstance(text, ParseFailure):
        return FileLint(list(_findings([Placed(text.rule, text.span, text.message)], name, setup)))
    is_json = name.lower().endswith(".json")
    layout = Layout()
    items = documents(text, is_json=is_json, layout=layout)  # linted and dropped one by one
    if walked:
        items = _if_any_nim_body(items)
        if items is None:
            return FileLint([], skipped=True)
    result = FileLint([])
    candidates = None
    if options.wants_fixes:
        from nimlint.fixer import Candidates

        candidates = Candidates(text, is_json, setup.registry)
    syntax_error: list[bool] = []

    sources = []  # the text's line starts, made for the first repair

    def review(found: list[Placed], doc: Document, kind: str, fits: bool) -> list[Placed]:
        if not sources:
            sources.append(_source(text, is_json))
        return _reviewed(found, doc, sources[0], setup, layers, kind, fits)

    def placed() -> Iterator[Placed]:  # streamed: a file's findings are never all held
        empty = True
        for item in items:
            if isinstance(item, ParseFailure):
                empty = False
                syntax_error.append(item.rule == "P001")
                yield Placed(item.rule, item.span, item.message)
                continue
            if item.data is None and not item.problems:
                continue  # an empty document (a trailing ---): kubectl ignores it too
            empty = False
            found = lint_document(item, setup, layers, name, result, review)
            if candidates is not None:
                candidates.add(item, found)
            yield from found
        if empty:
            yield Placed(
                "P004", None, "no document: the file holds only blank lines, comments or ---"
            )

    findings = _findings(placed(), name, setup)
    protected: list[Span] = []
    suppressions = not is_json and "nimlint:" in text
    if suppressions:
        findings = _suppressed(findings, text, name, setup, protected)
    fixable: list[Finding] = []  # --fix fixes what a report leaves out past the cap, too
    if candidates is not None and options.fix:
        findings = _noting_fixable(findings, fixable)
    cap = Cap(MAX_PER_FILE)  # the first findings in file order; the rest only counted
    result.findings, result.omitted = cap.first(findings), cap.omitted
    if candidates is not None and suppressions:  # X001's own fix: the unused directive removed
        candidates.add(None, [f for f in result.findings if f.rule == "X001" and f.repair])
    if candidates is not None and not any(syntax_error):
        result.candidates = candidates.keep(fixable or result.findings, protected)
    return result


def _noting_fixable(findings: Iterable[Finding], fixable: list[Finding]) -> Iterator[Finding]:
    for finding in findings:
        if finding.repair is not None:
            fixable.append(finding)
        yield finding


def lint_document(
    doc: Document, setup: Setup, layers: Layers, name: str, result: FileLint, review=None
) -> list[Placed]:
    """Every finding of one document, placed in its file: what the loader noticed in the text
    as written, then each view's schema and rules; ``review(found, doc, kind, fits)`` sees
    them last when one has a repair."""
    what = kubernetes_object(doc.data)
    if what is not None:  # one finding, not a cascade of schema errors
        message = not_a_body_message(what, doc.index)
        return [Placed("P012", doc.span("/kind"), message, "/kind", document=doc.index)]
    placed = [_placed(doc, rule, problem) for rule, problem in doc.problems]
    kind, fits, how = _kind_of(doc.data, setup, layers.options.kind, name)
    if kind is not None:
        result.kinds.append(DocumentKind(doc.index, kind, how))
    if doc.data is None:
        return placed
    if not isinstance(doc.data, dict):
        what = type_words([json_type(doc.data)])
        message = f"document {doc.index + 1} is {what}, not a mapping"
        return [*placed, _placed(doc, "P003", Problem("", message))]
    shape = setup.schemas.shape(kind)
    placed.extend(_placed(doc, rule, problem) for rule, problem in yaml11_problems(doc, shape))
    seen: set[tuple] = set()
    for view in layers.views(doc, kind, fits, setup, name):
        if view.policed:
            result.policed.append(doc.index)
        own = []
        checked = as_written(doc, check(view.data, view.kind, setup, view.fits))
        for rule, problem in itertools.chain(checked, view.extra()):
            found = view.place(rule, problem)
            if found is not None:
                own.append(found)
        own.extend(view.direct())
        placed.extend(p for p in own if (p.rule, p.span, p.message) not in seen)
        seen.update((p.rule, p.span, p.message) for p in own)
    if review is not None and any(p.repair is not None for p in placed):
        placed = review(placed, doc, kind, fits)
    return placed


def _source(text: str, is_json: bool):
    from nimlint.engine.fix_edits import SourceText

    return SourceText(text, is_json)


def _reviewed(
    found: list[Placed], doc: Document, source, setup: Setup, layers: Layers, kind: str, fits: bool
) -> list[Placed]:
    """``found`` with quote messages as written and, when fixes are wanted, the safe repairs
    whose fixed value the same rules reject made unsafe (``engine.fix_safety``)."""
    from nimlint.engine.fix_safety import reviewed

    recheck = None
    if layers.options.wants_fixes and not (setup.policy is not None and _policed_kind(kind)):
        recheck = lambda data: check(data, kind, setup, fits)  # noqa: E731
    return reviewed(found, doc, source, setup.registry, recheck)


def _kind_of(
    data: Any, setup: Setup, forced: str | None, name: str
) -> tuple[str | None, bool, str]:
    """The kind a document is read as, whether it fits that kind's shape exactly (then it has
    no unknown key), and how the kind was chosen."""
    if forced:
        return forced, False, "option"
    configured = setup.config.kind_of(name)
    if configured:
        return configured, False, "config"
    if not isinstance(data, dict):
        return None, False, "detected"
    kind, misfits = best_fit(data, setup.schemas.shape)
    return kind, misfits == 0, "detected"


def check(data: dict, kind: str, setup: Setup, fits: bool = False) -> list[tuple[str, Problem]]:
    """Schema, unknown keys (none when ``data`` ``fits`` its kind) and every rule of ``kind``
    on one request body: the single place where a document's content is checked."""
    misplaced = envelope_keys(data)
    found = _envelope_problems(misplaced)
    schemas = setup.schemas
    unknown = () if fits else unknown_key_problems(data, schemas.shape(kind))
    deprecated = deprecated_problems(data, schemas.shape(kind))
    for rule, problem in itertools.chain(schema_problems(schemas, kind, data), unknown, deprecated):
        if not _said_by_envelope(rule, problem, misplaced):
            found.append((rule, problem))
    if kind == "create" and "spec" in data and data["spec"] is None:
        data = {**data, "spec": {}}  # no spec is no image, no port: the create rules say so
    found.extend(_run_rules(setup.checks[kind], Context(data, kind)))
    return found


def _placed(doc: Document, rule: str, problem: Problem) -> Placed:
    return DocumentView(doc, "").place(rule, problem)


def _if_any_nim_body(items: Iterator) -> Iterator | None:
    """``items`` again if one is a NIM body (or cannot be parsed), else None: reads only as far
    as the first such document, holding just the documents before it."""
    before = []
    for item in items:
        before.append(item)
        if isinstance(item, ParseFailure):
            if item.rule != "P013":  # (a YAML 1.1 line break alone does not make a NIM body)
                return itertools.chain(before, items)
        elif is_nim_body(item.data):
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
                if _well_formed(problem):
                    found.append((rule.id, problem))
                else:  # a rule's bug, found here and not when the report is written
                    message = f"rule {rule.id} returned a malformed problem: {clip(repr(problem))}"
                    found.append(("X002", Problem("", message)))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit too: a rule cannot end the run
            found.append(
                ("X002", Problem("", f"rule {rule.id} crashed: {type(exc).__name__}: {exc}"))
            )
    return found


def _well_formed(problem: Any) -> bool:
    return (
        isinstance(problem, Problem)
        and type(problem.pointer) is str
        and type(problem.message) is str
        and problem.at in ("value", "key")
    )


def _findings(placed: Iterable[Placed], name: str, setup: Setup) -> Iterator[Finding]:
    """The placed problems this file's configuration enables, with their severities."""
    config, registry = setup.config, setup.registry
    for p in placed:
        if not config.enabled(p.rule, name):
            continue
        severity = config.severity_of(p.rule, registry[p.rule].severity)
        span = p.span or Span(1, 1, 1, 1)
        yield Finding(
            p.rule,
            severity,
            p.message,
            name,
            *span,
            p.pointer,
            None,
            p.document,
            p.compliance,
            p.related,
            p.repair,
        )


def _suppressed(
    findings: Iterable[Finding], text: str, name: str, setup: Setup, protected: list[Span]
) -> Iterator[Finding]:
    """Apply the file's suppression comments; report the unused (X001) and invalid (X003).
    Once done: ``protected`` holds where each directive that silenced something is (no fix
    may remove it). Where comments can be is known once the whole text is read, and the
    findings stream in while it is: the text is read once more, alone, to learn it."""
    from nimlint.engine.suppressions import apply, parse_directives, unused_fix  # only if any

    layout = Layout()
    for _ in documents(text, is_json=False, layout=layout):
        pass
    ids = list(setup.registry)
    known = lambda selector: any(i.startswith(selector) for i in ids)  # noqa: E731
    directives, invalid = parse_directives(text, layout, known)
    yield from apply(findings, directives)

    def disabled(selector: str) -> bool:  # a rule that cannot fire here silences nothing
        return not any(setup.config.enabled(i, name) for i in ids if i.startswith(selector))

    extra = [Placed("X003", i.span, i.message) for i in invalid]
    for d in directives:
        unused = [r for r in d.unused() if r == "every rule" or not disabled(r)]
        repair = unused_fix(text, d, unused) if unused else None
        extra += [
            Placed("X001", d.span, f"unused suppression: {r} (nothing to silence here)", "", repair)
            for r in unused
        ]
    protected.extend(d.span for d in directives if d.used)
    yield from _findings(extra, name, setup)
