"""Turn a rule's Repair into edits on the original text, placed by the loader's spans.

Every character outside the edits stays as written. Each repair also says, as a ``Change``,
what it does to the data: the fix stage (``nimlint.fixer``) parses the edited text and keeps
only the fixes whose text gives exactly those changes; a repair that cannot be placed cleanly
(an unusual layout) has no edits, and its finding no fix.
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate
from typing import Any, NamedTuple

from nimlint.engine.context import lookup
from nimlint.engine.render import scalar_text
from nimlint.findings import Edit, Repair, Span
from nimlint.loading.layout import LINE_BREAK
from nimlint.loading.model import Document, escape_token, unescape_token

_BREAKS = re.compile(LINE_BREAK)  # the loader's, in YAML and JSON alike
_PLUS_BREAK = (1).__add__  # a line's length, its \n included
_REST_OF_LINE = re.compile(r"[ \t]*(#[^\r\n]*)?")
_FLOW_COMMA = re.compile(r"\s*,\s*")
_COMMENT_START = re.compile(r"(?<![^ \t\r\n])#")
_NOT_PLAIN_START = "\"'|>&!*{[%@`"
Spans = list[tuple[int, int]]  # (start, end) character offsets


class Change(NamedTuple):
    """What a repair does to the data: ``op`` at ``pointer`` (see Repair); ``value`` is the new
    string (``quote``: the scalar's source text; ``rename``: the new key)."""

    op: str
    pointer: str
    value: str = ""


def line_starts(text: str) -> list[int]:
    """The offset of each line of ``text`` (lines end at \\r\\n, \\r or \\n)."""
    if "\r" in text:
        return [0] + [match.end() for match in _BREAKS.finditer(text)]
    starts = [0]  # only \n: from the lines' lengths, without a match object per line
    starts.extend(accumulate(map(_PLUS_BREAK, map(len, text.split("\n")))))
    starts.pop()  # the end of the text, past its last line
    return starts


class SourceText:
    """A file's text and its line starts: the loader's 1-based spans as offsets."""

    def __init__(self, text: str, is_json: bool):
        self.text = text
        self.is_json = is_json
        self.starts = line_starts(text)
        self.breaks = _BREAKS
        self._pointers: tuple[Document | None, list[str]] = (None, [])

    def entry(self, doc: Document, pointer: str) -> list[str]:
        """``pointer`` and the pointers below it that ``doc`` has positions for: a range of
        its sorted pointers (sorted once per document), not a walk of them all per entry."""
        known, pointers = self._pointers
        if known is not doc:
            pointers = sorted(doc.positions)
            self._pointers = (doc, pointers)
        low = bisect.bisect_left(pointers, pointer + "/")
        high = bisect.bisect_left(pointers, pointer + "0")  # "0" is the character after "/"
        below = pointers[low:high]
        return [pointer, *below] if pointer in doc.positions else below

    def offset(self, line: int, column: int) -> int:
        return self.starts[min(line, len(self.starts)) - 1] + column - 1

    def span(self, start: int, end: int) -> Span:
        return Span(*self._place(start), *self._place(end))

    def _place(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_start(self, offset: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, offset) - 1]

    def edit(self, start: int, end: int, content: str) -> Edit:
        return Edit(start, end, content, self.span(start, end))


def resolve(
    repair: Repair, doc: Document, source: SourceText
) -> tuple[tuple[Edit, ...], Change] | None:
    """The edits that carry out ``repair`` on ``doc`` and the change they should make to its
    data, or None when no edit fits cleanly. Unverified: see ``nimlint.fixer``."""
    if repair.op == "edit":
        return repair.edits, Change("edit", "")
    if doc.positions.get(repair.pointer) is None:
        return None
    edits = _OPS[repair.op](repair, doc, source)
    if not edits:
        return None
    value = repair.value
    if repair.op == "quote":
        start, end = _value_range(doc, repair.pointer, source)
        value = source.text[start:end]
    return edits, Change(repair.op, repair.pointer, value)


def plain_text(doc: Document, source: SourceText, pointer: str) -> str | None:
    """The text of the one-line plain scalar at ``pointer``, else None (also for a value a
    merge key brought: its place is the ``<<`` key's, and its text is at the anchor)."""
    spots = doc.positions.get(pointer)
    if spots is None or spots[0] == spots[1]:
        return None
    text = _one_line(source, *_value_range(doc, pointer, source))
    return None if text is None or text[0] in _NOT_PLAIN_START else text


def _value_range(doc: Document, pointer: str, source: SourceText) -> tuple[int, int]:
    spot = doc.positions[pointer][1]
    return source.offset(*spot[:2]), source.offset(*spot[2:])


def _one_line(source: SourceText, start: int, end: int) -> str | None:
    """The scalar text from ``start`` to ``end`` if it is a single-line, untagged scalar."""
    text = source.text[start:end]
    if not text or text[0] in "|>&!*{[" or source.breaks.search(text):
        return None
    return text


def _style(text: str) -> str:
    return text[0] if text[0] in "\"'" else ""


def _quote(repair: Repair, doc: Document, source: SourceText) -> tuple[Edit, ...] | None:
    start, end = _value_range(doc, repair.pointer, source)
    text = _one_line(source, start, end)
    if text is None or text[0] in _NOT_PLAIN_START:
        return None
    rendered = scalar_text(text, is_json=source.is_json, style='"')
    return None if rendered is None else (source.edit(start, end, rendered),)


def _replace(repair: Repair, doc: Document, source: SourceText) -> tuple[Edit, ...] | None:
    start, end = _value_range(doc, repair.pointer, source)
    text = _one_line(source, start, end)
    if text is None:
        return None
    rendered = scalar_text(repair.value, is_json=source.is_json, style=_style(text))
    return None if rendered is None else (source.edit(start, end, rendered),)


def _rename(repair: Repair, doc: Document, source: SourceText) -> tuple[Edit, ...] | None:
    spot = doc.positions[repair.pointer][0]
    if spot is None:
        return None
    start, end = source.offset(*spot[:2]), source.offset(*spot[2:])
    text = _one_line(source, start, end)
    if text is None:
        return None
    rendered = scalar_text(repair.value, is_json=source.is_json, style=_style(text))
    return None if rendered is None else (source.edit(start, end, rendered),)


def _remove(repair: Repair, doc: Document, source: SourceText) -> tuple[Edit, ...] | None:
    parent_pointer = repair.pointer.rpartition("/")[0]
    parent = lookup(doc.data, parent_pointer)
    if not isinstance(parent, (dict, list)) or parent_pointer not in doc.positions:
        return None
    start = _entry_start(doc, repair.pointer, source)
    end = _content_end(doc, repair.pointer, source)
    if end is None:
        return None
    parent_start = _value_range(doc, parent_pointer, source)[0]
    text_spans = _text_spans(doc, repair.pointer, source)
    if _is_flow(source.text, parent_start):
        edits = _remove_flow(repair.pointer, parent, parent_pointer, doc, source, start, end)
        cuts_comment = edits and any(_comments(source, e.start, e.end, text_spans) for e in edits)
        return None if cuts_comment else edits
    if len(parent) < 2:
        return None  # an emptied block collection would read as null
    return _remove_block(source, start, end, text_spans)


def _entry_start(doc: Document, pointer: str, source: SourceText) -> int:
    key_spot, value_spot = doc.positions[pointer]
    return source.offset(*(key_spot or value_spot)[:2])


def _content_end(doc: Document, pointer: str, source: SourceText) -> int | None:
    """Where the entry's last character is: its last scalar, alias or flow collection ends
    there (a block collection's own end mark lies at the next token, after trailing
    comments; an alias's children have no place of their own)."""
    ends = []
    for child in source.entry(doc, pointer):
        spot = doc.positions[child][1]
        start = source.offset(*spot[:2])
        value = lookup(doc.data, child)
        if value and isinstance(value, (dict, list)) and not _ends_itself(source.text, start):
            continue
        ends.append(source.offset(*spot[2:]))
    return max(ends, default=None)


_PROPERTIES = re.compile(r"(?:[&!][^ \t\r\n]*[ \t]+)*")  # an anchor and a tag, before a node


def _ends_itself(text: str, start: int) -> bool:
    """Is the collection written at ``start`` an alias or a flow collection, whose place
    ends at its own last character?"""
    return text.startswith("*", start) or _is_flow(text, start)


def _is_flow(text: str, start: int) -> bool:
    """Is the collection written at ``start`` a flow one (after its anchor and tag)?"""
    return text.startswith(("{", "["), _PROPERTIES.match(text, start).end())


def _remove_block(
    source: SourceText, start: int, end: int, text_spans: Spans
) -> tuple[Edit, ...] | None:
    line_start = source.line_start(start)
    if not re.fullmatch(r"[ \t]*(-[ \t]+)?", source.text[line_start:start]):
        return None  # not the first thing on its line (such as the first key of a list item)
    if end > start and source.line_start(end) == end:
        return _lines_but_comments(source, line_start, end, text_spans)  # a block scalar's end
    rest = _REST_OF_LINE.match(source.text, end)
    after = source.breaks.match(source.text, rest.end())
    if after is None and rest.end() != len(source.text):
        return None  # something else follows on the same line
    edits = _lines_but_comments(
        source, line_start, after.end() if after else rest.end(), text_spans
    )
    return edits if after else _without_final_break(source, edits)


def _without_final_break(source: SourceText, edits: tuple[Edit, ...]) -> tuple[Edit, ...]:
    """Edits removing the last line of a file that has no final line break: the break
    before it goes too, so the file still ends without one."""
    last = edits[-1]
    if last.end != len(source.text) or last.start == 0:
        return edits
    before = source.line_start(last.start - 1)
    brk = source.breaks.search(source.text, before, last.start)
    return (*edits[:-1], source.edit(brk.start(), last.end, ""))


def _lines_but_comments(
    source: SourceText, start: int, end: int, text_spans: Spans
) -> tuple[Edit, ...]:
    """Edits removing the whole lines from ``start`` to ``end`` but those holding only a
    comment: a comment on a line of its own is never removed (one after a removed value
    goes with its line)."""
    kept = {
        source.line_start(at)
        for at in _comments(source, start, end, text_spans)
        if not source.text[source.line_start(at) : at].strip(" \t")
    }
    first, last = (bisect.bisect_left(source.starts, at) for at in (start, end))
    edits, run_start = [], None
    for line in source.starts[first:last]:
        if line in kept and run_start is not None:
            edits.append(source.edit(run_start, line, ""))
            run_start = None
        elif line not in kept and run_start is None:
            run_start = line
    if run_start is not None:
        edits.append(source.edit(run_start, end, ""))
    return tuple(edits)


def _text_spans(doc: Document, pointer: str, source: SourceText) -> Spans:
    """Where the keys and scalar values of the entry at ``pointer`` are: a ``#`` there is text."""
    spans = []
    for child in source.entry(doc, pointer):
        key_spot, value_spot = doc.positions[child]
        spots = [key_spot]
        if not isinstance(lookup(doc.data, child), (dict, list)):
            spots.append(value_spot)
        spans += [(source.offset(*s[:2]), source.offset(*s[2:])) for s in spots if s]
    return spans


def _comments(source: SourceText, start: int, end: int, text_spans: Spans) -> list[int]:
    """Where the comments between ``start`` and ``end`` begin (YAML: a ``#`` after a space
    or at a line start, outside every key and scalar value)."""
    if source.is_json:
        return []
    return [
        match.start()
        for match in _COMMENT_START.finditer(source.text, start, end)
        if not any(a <= match.start() < b for a, b in text_spans)
    ]


def _remove_flow(pointer, parent, parent_pointer, doc, source, start, end):
    tokens = list(parent) if isinstance(parent, dict) else range(len(parent))
    siblings = [f"{parent_pointer}/{_escape(t)}" for t in tokens]
    if pointer not in siblings or any(s not in doc.positions for s in siblings):
        return None
    index = siblings.index(pointer)
    if len(siblings) == 1:
        return (source.edit(start, end, ""),)
    if index > 0:
        before = _content_end(doc, siblings[index - 1], source)
        if before is None or not _FLOW_COMMA.fullmatch(source.text, before, start):
            return None
        return (source.edit(before, end, ""),)
    following = _entry_start(doc, siblings[1], source)
    if not _FLOW_COMMA.fullmatch(source.text, end, following):
        return None
    return (source.edit(start, following, ""),)


def _escape(token: Any) -> str:
    return escape_token(str(token))


_OPS = {"quote": _quote, "replace": _replace, "rename": _rename, "remove": _remove}


def apply_edits(text: str, edits: tuple[Edit, ...]) -> str:
    """``text`` with non-overlapping ``edits`` applied, in one join (a file of thousands of
    fixes is not copied once per fix)."""
    parts, at = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        parts += (text[at : edit.start], edit.content)
        at = edit.end
    parts.append(text[at:])
    return "".join(parts)


def apply_change(data: Any, change: Change) -> bool:
    """Make ``change`` to ``data`` in place; False when it cannot be made (a rename onto a
    key the mapping has, a pointer that is gone). An ``edit`` changes no data."""
    if change.op == "edit":
        return True
    parent_pointer, _, token = change.pointer.rpartition("/")
    parent = lookup(data, parent_pointer)
    if isinstance(parent, list):
        if not token.isdigit() or int(token) >= len(parent):
            return False
        key: Any = int(token)
    elif isinstance(parent, dict):
        key = unescape_token(token)
        if key not in parent:
            return False
    else:
        return False
    if change.op == "remove":
        del parent[key]
    elif change.op in ("quote", "replace"):
        parent[key] = change.value
    elif isinstance(parent, dict) and change.value not in parent:  # rename
        parent[change.value] = parent.pop(key)
    else:
        return False
    return True
