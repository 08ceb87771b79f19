"""The fix stage: a file's fix candidates verified together, and the ``--fix`` loop.

While a document is loaded, each finding's repair becomes text edits and the change it should
make to the data (``engine.fix_edits``). Once the file's suppressions are decided, the
candidates of the findings that remain, and that remove no suppression comment still in use,
are verified together: the edited text is parsed once and must give each changed document's
data changed exactly as the repairs say. When it does not, the set is halved until the
culprits are found, within a bounded number of parses. ``fix_file`` applies one verified set,
lints again, and repeats until nothing applies, like ruff.
"""

from __future__ import annotations

import bisect
import codecs
import itertools
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from nimlint.engine.fix_edits import Change, SourceText, apply_change, apply_edits, resolve
from nimlint.engine.repairs import same_data
from nimlint.findings import Edit, Finding, Fix, Placed, Span
from nimlint.loading.model import Document, ParseFailure, copied
from nimlint.loading.source import decode, documents

MAX_PASSES = 100  # lint-fix rounds for one file: no real file needs more than a few
MAX_PARSES = 64  # verification parses for one file in one round, halving included
MAX_ROUNDS = 4  # sets of mutually overlapping fixes verified for a report


class Candidate(NamedTuple):
    """A finding's fix before verification: the text edits and the change to the data."""

    fix: Fix
    document: int
    change: Change

    @property
    def start(self) -> int:
        return min(edit.start for edit in self.fix.edits)


class Candidates:
    """The fix candidates of one file, and the data of the documents they change."""

    def __init__(self, text: str, is_json: bool, registry):
        self.text, self.is_json, self.registry = text, is_json, registry
        self._source: SourceText | None = None  # line starts: made for the first repair
        self.found: dict[tuple, Candidate] = {}  # (document, rule, repair) -> candidate
        self.data: dict[int, Any] = {}  # document index -> its data, as loaded
        self.parses = 0

    def add(self, doc: Document | None, placed: Iterable[Placed]) -> None:
        """Resolve the repairs of ``doc``'s findings into candidates (no parse); ``doc`` None:
        repairs that are text edits and change no data (an unused suppression removed)."""
        for p in placed:
            rule = self.registry.get(p.rule) if p.repair is not None else None
            if rule is None or rule.fix == "none":
                continue
            if self._source is None:
                self._source = SourceText(self.text, self.is_json)
            resolved = resolve(p.repair, doc, self._source)
            if resolved is None:
                continue
            edits, change = resolved
            applicability = rule.fix if p.repair.safe else "unsafe"
            fix = Fix(applicability, p.repair.message, edits)
            index = -1 if change.op == "edit" else doc.index
            self.found[p.document, p.rule, p.repair] = Candidate(fix, index, change)
            if index >= 0:
                self.data[index] = doc.data

    def keep(self, findings: list[Finding], protected: list[Span]) -> Candidates:
        """Only the candidates of ``findings`` (the ones no suppression silenced), and none
        that would remove a suppression comment in use (``protected``): an unused
        suppression's own fix (X001) keeps the ids in use, and is kept."""
        if not self.found:
            return self
        wanted = {(f.document, f.rule, f.repair) for f in findings if f.repair is not None}
        ranges = [self._range(span) for span in protected]
        self.found = {
            key: c
            for key, c in self.found.items()
            if key in wanted
            and (c.document < 0 or not any(_touches(e, r) for e in c.fix.edits for r in ranges))
        }
        return self

    def _range(self, span: Span) -> tuple[int, int]:
        source = self._source or SourceText(self.text, self.is_json)
        return source.offset(span.line, span.column), source.offset(span.end_line, span.end_column)

    def for_finding(self, finding: Finding) -> Candidate | None:
        return self.found.get((finding.document, finding.rule, finding.repair))

    def verified_set(self, wanted: Callable[[Fix], bool]) -> list[Candidate]:
        """Non-overlapping ``wanted`` candidates that, applied together, make exactly their
        changes: the set one ``--fix`` pass applies."""
        chosen, _ = non_overlapping([c for c in self.found.values() if wanted(c.fix)])
        return self._verify(chosen)

    def verified(self) -> set[Fix]:
        """Every candidate that verifies (in rounds of non-overlapping ones): a report's fixes."""
        pending = list(self.found.values())
        good: set[Fix] = set()
        for _ in range(MAX_ROUNDS):
            if not pending:
                break
            chosen, pending = non_overlapping(pending)
            good.update(c.fix for c in self._verify(chosen))
        return good

    def _verify(self, chosen: list[Candidate]) -> list[Candidate]:
        """The part of ``chosen`` found to make exactly its changes when applied together."""
        if not chosen or self._holds(chosen):
            return chosen
        if len(chosen) == 1 or self.parses >= MAX_PARSES:
            return []
        half = len(chosen) // 2
        first, second = self._verify(chosen[:half]), self._verify(chosen[half:])
        if first and second:
            return first + second if self._holds(first + second) else first
        return first or second

    def _holds(self, chosen: list[Candidate]) -> bool:
        """Do ``chosen`` candidates, applied together, give each document they change its data
        changed exactly as they say? One parse, up to the last document changed."""
        self.parses += 1
        expected: dict[int, Any] = {}
        for candidate in sorted(chosen, key=lambda c: c.start, reverse=True):
            # last in the text first: a list item's removal shifts no change made before it
            if candidate.document < 0:  # a text edit that changes no document's data
                continue
            if candidate.document not in expected:
                expected[candidate.document] = copied(self.data[candidate.document])
            if not apply_change(expected[candidate.document], candidate.change):
                return False
        edited = apply_edits(self.text, tuple(e for c in chosen for e in c.fix.edits))
        last = max(expected, default=-1)
        parsed = documents(edited, is_json=self.is_json)
        for item in itertools.islice(parsed, last + 1):
            if isinstance(item, ParseFailure):
                return False
            if item.index in expected and same_data(item.data) != same_data(
                expected.pop(item.index)
            ):
                return False
        return not expected


def _touches(edit: Edit, span: tuple[int, int]) -> bool:
    return edit.start < span[1] and span[0] < edit.end


class _Taken:
    """Text ranges already edited, sorted: does a new edit overlap one? (log n per question)"""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, edit: Edit) -> bool:
        at = bisect.bisect_right(self.starts, edit.start)
        if at and (self.ends[at - 1] > edit.start or self.starts[at - 1] == edit.start):
            return True  # the range before it reaches into it, or both start (insert) there
        return at < len(self.starts) and self.starts[at] < max(edit.end, edit.start + 1)

    def add(self, edit: Edit) -> None:
        at = bisect.bisect_right(self.starts, edit.start)
        self.starts.insert(at, edit.start)
        self.ends.insert(at, edit.end)


def non_overlapping(candidates: list[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """Candidates whose edits overlap no earlier one's (in text order), and the rest. Two
    rules' identical fixes are one."""
    taken = _Taken()
    chosen, rest = [], []
    seen: set[tuple[Edit, ...]] = set()
    for candidate in sorted(candidates, key=lambda c: (c.start, c.fix.message)):
        edits = candidate.fix.edits
        if edits in seen:
            continue
        if any(taken.overlaps(edit) for edit in edits):
            rest.append(candidate)
            continue
        seen.add(edits)
        for edit in edits:
            taken.add(edit)
        chosen.append(candidate)
    return chosen, rest


def attach_fixes(findings: list[Finding], candidates: Candidates | None) -> list[Finding]:
    """``findings`` with each verified fix attached (for reports: JSON, SARIF, --diff)."""
    if candidates is None or not candidates.found:
        return findings
    good = candidates.verified()
    out = []
    for finding in findings:
        candidate = candidates.for_finding(finding)
        if candidate is not None and candidate.fix in good:
            finding = finding._replace(fix=candidate.fix)
        out.append(finding)
    return out


def wanted(fix: Fix | None, unsafe: bool) -> bool:
    return fix is not None and (fix.applicability == "safe" or unsafe)


class FixedFile:
    """One file's fixing: what remains, and its text before and after."""

    __slots__ = ("bom", "findings", "fixed", "name", "original", "path", "text")

    def __init__(self, path: str, name: str, findings: list[Finding]):
        self.path = path
        self.name = name
        self.findings = findings
        self.original = self.text = ""
        self.fixed = 0  # findings fixed
        self.bom = ""

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def encoded(self) -> bytes:
        return (self.bom + self.text).encode("utf-8")


# lint(raw) -> (findings, candidates): the pipeline on one text (see driver.lint_one)
Lint = Callable[[bytes], tuple[list[Finding], "Candidates | None"]]


def fix_file(
    lint: Lint, raw: bytes, path: str, name: str, unsafe: bool, first: tuple | None = None
) -> FixedFile:
    """Apply the fixes of ``raw`` (safe ones, and unsafe ones too when ``unsafe``): lint, apply
    one verified set, and again until nothing applies. ``first`` is the lint of ``raw``, if
    made already. The findings left carry their candidates' verified fixes."""
    findings, candidates = first if first is not None else lint(raw)
    result = FixedFile(path, name, findings)
    text = decode(raw)
    if not isinstance(text, str) or raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        result.findings = attach_fixes(findings, candidates)
        return result  # UTF-16 and UTF-32 files are reported, not rewritten
    if raw.startswith(codecs.BOM_UTF8):
        result.bom = "\ufeff"
    result.original = result.text = text
    for _ in range(MAX_PASSES):
        if candidates is None:
            break
        chosen = candidates.verified_set(lambda fix: wanted(fix, unsafe))
        if not chosen:
            break
        result.text = apply_edits(result.text, tuple(e for c in chosen for e in c.fix.edits))
        applied = {c.fix.edits for c in chosen}  # two rules' identical fixes: both fixed
        result.fixed += sum(c.fix.edits in applied for c in candidates.found.values())
        findings, candidates = lint(result.text.encode("utf-8"))
    result.findings = attach_fixes(findings, candidates)
    return result
