"""Inline suppressions in YAML comments.

    key: value  # nimlint: disable=S004,G001   (this line; bare `disable` = every rule)
    # nimlint: disable-next-line=S008           (the next line)
    # nimlint: disable-file=T003                (the whole file)

Only real comments count: the loader's Layout says where they can be (a ``#`` inside a
quoted or block scalar is text). Ids are matched exactly, case included: a rule id, or a
prefix of known ids (``disable=G`` silences every G rule); text after the ids is a free
comment. A malformed directive or an unknown id is reported (X003) and silences nothing.
Each directive remembers what it silenced, so the unused ones can be reported.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from nimlint.findings import Finding, Repair, Span
from nimlint.loading.layout import LINE_BREAK, Layout
from nimlint.messages import show

_MARKER = re.compile(r"#[ \t]*nimlint:")
_KEYWORD = re.compile(r"[ \t]*(disable-next-line|disable-file|disable)(?=[ \t=]|\Z)")
_IDS = re.compile(r"[ \t]*=[ \t]*([^\s,]+(?:[ \t]*,[ \t]*[^\s,]+)*)")
_ID_LIKE = re.compile(r"[A-Za-z]+[0-9][A-Za-z0-9]*\b")
_LINE_BREAK = re.compile(LINE_BREAK)
_SCOPES = {"disable": "line", "disable-next-line": "next-line", "disable-file": "file"}


class Directive:
    """One suppression comment: where it is, what it covers, what it silenced."""

    __slots__ = ("ids", "rules", "scope", "span", "start", "used")

    def __init__(self, span: Span, scope: str, rules: tuple[str, ...], start: int = 0):
        self.span = span
        self.start = start  # offset of the comment's ``#`` in the text
        self.ids: tuple[int, int] | None = None  # offsets of the id list, if any
        self.scope = scope  # "line", "next-line" or "file"
        self.rules = rules  # empty: every rule
        self.used: set[str] = set()

    def covers(self, finding: Finding) -> bool:
        if self.scope == "line" and finding.line != self.span.line:
            return False
        if self.scope == "next-line" and finding.line != self.span.line + 1:
            return False
        if not self.rules:
            self.used.add("")
            return True
        matched = [r for r in self.rules if finding.rule.startswith(r)]
        self.used.update(matched)
        return bool(matched)

    def unused(self) -> list[str]:
        if not self.rules:
            return [] if self.used else ["every rule"]
        return [r for r in self.rules if r not in self.used]


class Invalid(NamedTuple):
    """A ``# nimlint:`` comment that silences nothing (or an id in it): why, and where."""

    span: Span
    message: str


def parse_directives(
    text: str, layout: Layout, known: Callable[[str], bool]
) -> tuple[list[Directive], list[Invalid]]:
    """Every suppression comment in ``text``; ``known`` says whether an id or prefix exists."""
    directives: list[Directive] = []
    invalid: list[Invalid] = []
    starts: list[int] | None = None
    for marker in _MARKER.finditer(text):
        offset = marker.start()
        after_space = offset == 0 or text[offset - 1] in " \t\r\n"
        if not (after_space and layout.may_be_comment(offset)):
            continue
        if starts is None:  # lines are counted on \n, \r\n and \r only
            starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        line = bisect.bisect_right(starts, offset)
        end = _LINE_BREAK.search(text, offset)
        comment = text[offset : end.start() if end else len(text)]
        column = offset - starts[line - 1] + 1
        span = Span(line, column, line, column + len(comment))
        _parse(comment, marker.end() - offset, span, known, directives, invalid)
        if directives and directives[-1].span is span:
            directives[-1].start = offset
            if directives[-1].ids is not None:
                directives[-1].ids = tuple(offset + at for at in directives[-1].ids)
    return directives, invalid


def _parse(comment, at, span, known, directives: list, invalid: list) -> None:
    keyword = _KEYWORD.match(comment, at)
    rest = comment[keyword.end() :] if keyword else ""
    ids = _IDS.match(rest)
    if keyword is None or not (ids or _is_bare(rest)):
        invalid.append(
            Invalid(
                span,
                f"malformed suppression {show(comment, 80)}: write "
                "'# nimlint: disable=ID[,ID...]' (or disable-next-line=, disable-file=); "
                "it silences nothing",
            )
        )
        return
    # rule ids are matched in any case, as on the command line and in the configuration
    rules = tuple(r.upper() for r in re.split(r"[ \t]*,[ \t]*", ids[1])) if ids else ()
    for rule in rules:
        if not known(rule):
            message = f"unknown rule id {show(rule)} in suppression: it silences nothing"
            invalid.append(Invalid(span, message))
    kept = tuple(r for r in rules if known(r))
    if kept or not rules:
        directive = Directive(span, _SCOPES[keyword[1]], kept)
        if ids:
            first = keyword.end() + ids.start(1)
            directive.ids = (first, first + len(ids[1]))
        directives.append(directive)


def _is_bare(rest: str) -> bool:
    """``disable`` with no ids: only a free comment may follow, not something like an id."""
    return not rest.strip() or (rest[0] in " \t" and not _ID_LIKE.match(rest.lstrip()))


def apply(findings: Iterable[Finding], directives: list[Directive]) -> Iterator[Finding]:
    """The findings no directive covers (every directive sees every finding, to track use),
    as they come: a file's findings are never all held."""
    for finding in findings:
        covered = [d.covers(finding) for d in directives]
        if not any(covered):
            yield finding


def unused_fix(text: str, directive: Directive, unused: list[str]) -> Repair:
    """The repair of an unused suppression (as ruff removes an unused ``noqa``): drop the
    unused ids from its list, or the whole comment (its line, if it is alone there) when
    nothing it names silences anything. Every X001 of one directive gets the same edit."""
    from nimlint.engine.fix_edits import SourceText

    source = SourceText(text, is_json=False)
    start, end = directive.start, source.offset(directive.span.line, directive.span.end_column)
    used = [r for r in directive.rules if r not in unused]
    if used and directive.ids is not None:
        edit = source.edit(*directive.ids, ",".join(used))
        return Repair(
            "edit", "", f"remove {', '.join(unused)} from the suppression", "", True, (edit,)
        )
    line = source.line_start(start)
    while start > line and text[start - 1] in " \t":
        start -= 1
    if start == line:  # alone on its line: the line goes, with its line break
        brk = _LINE_BREAK.match(text, end)
        if brk is not None:
            end = brk.end()
        elif line > 0:  # the last line, without a final line break: the one before goes
            start = line - len(_LINE_BREAK.search(text[max(0, line - 2) : line])[0])
    edit = source.edit(start, end, "")
    return Repair("edit", "", "remove the unused suppression", "", True, (edit,))
