"""Build documents from libyaml's event stream, with positions and hard limits.

libyaml (through PyYAML's C parser) scans and parses; this module composes the
events into plain data itself, iteratively, so that depth cannot overflow any stack,
aliases are counted instead of expanded blindly, tags are never constructed, and
every key and value keeps its span.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml._yaml import CParser

from nimlint.findings import Problem, Span
from nimlint.loading.layout import LINE_BREAK, Layout
from nimlint.loading.model import Document, ParseFailure, escape_token
from nimlint.loading.scalars import (
    YAML11_BOOLEAN_WORDS,
    NotJSONNumber,
    resolve_json_plain,
    resolve_plain,
    yaml11_reading,
)
from nimlint.messages import clip

MAX_DEPTH = 100  # real request bodies nest under 10 levels
MAX_NODES = 200_000  # per document, counting what aliases and merge keys expand to
# Characters of keys and scalars per document, counting what aliases expand to: a document
# without aliases never reaches it (files are at most 32 MiB), an alias bomb of big scalars does.
MAX_CHARACTERS = 32 * 1024 * 1024
MAX_DOCUMENTS = 10_000  # per file (stream); real streams hold a handful

_TAG = "tag:yaml.org,2002:"
_KNOWN_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}
_KNOWN_TAGS.add("!")


class LimitExceeded(Exception):
    """The document is too deep or expands to too many nodes or characters."""


def _span(start, end) -> tuple[int, int, int, int]:
    """1-based (line, column, end line, end column); Span objects are made only when needed."""
    return (start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Frame:
    """A mapping or sequence under construction."""

    __slots__ = (
        "chars",
        "container",
        "explicit",
        "key",
        "key_span",
        "merges",
        "pointer",
        "size",
        "start",
    )

    def __init__(self, container, pointer, start, explicit):
        self.container = container
        self.pointer = pointer
        self.start = start
        self.key = _NO_KEY
        self.key_span = None
        self.explicit: set | None = explicit  # a mapping's keys so far; None for a list
        self.merges: list | None = None
        self.size = 1  # nodes under this one, counting what aliases expand to
        self.chars = 0  # characters of the keys and scalars under this one, the same way


_NO_KEY = object()


class _Builder:
    """Compose one document from events."""

    def __init__(self, index: int, json_mode: bool, layout: Layout):
        self.json_mode = json_mode
        self.layout = layout
        self.hidden = layout.table is not None  # line separators hidden: scalars restored
        self.doc = Document(data=None, index=index, positions={})
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # value, nodes, characters
        self.nodes = 0
        self.chars = 0
        self.root: Any = None

    # --- helpers -----------------------------------------------------------------
    def problem(self, rule: str, pointer: str, message: str, at: str = "value") -> None:
        self.doc.problems.append((rule, Problem(pointer, message, at)))

    def child_pointer(self) -> str:
        frame = self.stack[-1]
        if frame.explicit is None:
            return f"{frame.pointer}/{len(frame.container)}"
        return f"{frame.pointer}/{escape_token(frame.key)}"

    def awaiting_key(self) -> bool:
        return (
            bool(self.stack)
            and self.stack[-1].explicit is not None
            and (self.stack[-1].key is _NO_KEY)
        )

    def count(self, n: int, chars: int) -> None:
        self.nodes += n
        self.chars += chars
        if self.nodes > MAX_NODES:
            raise LimitExceeded(
                f"document expands to more than {MAX_NODES:,} nodes "
                "(aliases or merge keys expanding exponentially?)"
            )
        if self.chars > MAX_CHARACTERS:
            raise LimitExceeded(
                f"document expands to more than {MAX_CHARACTERS:,} characters "
                "(aliases repeating a long value?)"
            )

    def text_of(self, event) -> str:
        """A scalar's text, with the line separators hidden from libyaml put back."""
        self.layout.scalar(event)
        return self.layout.restore(event.value)

    # --- events ------------------------------------------------------------------
    def scalar(self, event) -> None:
        if self.awaiting_key():
            self.key(event)
            return
        pointer = self.child_pointer() if self.stack else ""
        text = self.text_of(event)
        value = self.scalar_value(event, text, pointer)
        self.count(1, len(text))
        self.place(value, _span(event.start_mark, event.end_mark), event.anchor, 1, len(text))

    def scalar_value(self, event, text: str, pointer: str) -> Any:
        tag = event.tag
        if tag is not None and tag not in _KNOWN_TAGS:
            self.problem("P005", pointer, f"tag {_short(tag)} is not supported; read as text")
            return text
        plain = event.implicit[0] and tag is None
        if not plain:
            return self.tagged(text, tag, pointer) if tag and tag != "!" else text
        try:
            value = resolve_json_plain(text) if self.json_mode else resolve_plain(text)
        except NotJSONNumber as exc:
            self.not_json_number(pointer, text, exc)
            return None
        except ValueError:
            return text
        if not self.json_mode:
            reading = yaml11_reading(text)
            if reading is not None:
                self.doc.yaml11[pointer] = (text, reading)
        if _rewritten(value, text):
            self.doc.written[pointer] = text
        return value

    def not_json_number(self, pointer: str, text: str, exc: NotJSONNumber) -> None:
        shown = clip(text, 40)
        self.problem("P011", pointer, f"{shown} cannot be sent in a JSON request: {exc}")

    def tagged(self, text: str, tag: str, pointer: str) -> Any:
        name = tag[len(_TAG) :]
        if name == "str":
            return text
        try:
            value = resolve_plain(text)
        except NotJSONNumber as exc:
            self.not_json_number(pointer, text, exc)
            return None
        expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}.get(name)
        if expected is not None and (
            not isinstance(value, expected) or (name != "bool" and isinstance(value, bool))
        ):
            self.problem(
                "P005", pointer, f"{clip(repr(text))} is not a valid !!{name}; read as text"
            )
            return text
        return float(value) if name == "float" else value

    def key(self, event) -> None:
        frame = self.stack[-1]
        span = _span(event.start_mark, event.end_mark)
        text = value = self.text_of(event)
        self.count(0, len(text))
        frame.chars += len(text)
        if event.tag is None and event.implicit[0] and not self.json_mode:
            value = self.plain_key_value(frame, text)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, len(text))
        self.set_key(frame, text, span)

    def plain_key_value(self, frame: _Frame, text: str) -> Any:
        """What plain key ``text`` would be as a value; P010 unless a string."""
        try:
            value = resolve_plain(text)
        except NotJSONNumber:  # NaN, infinity, a huge integer: null as a value (P011)
            self.non_string_key(frame, text, "a number")
            return None
        if not isinstance(value, str):
            self.non_string_key(frame, text, _KEY_TYPES[type(value)])
        return value

    def non_string_key(self, frame: _Frame, text: str, reading: str) -> None:
        self.problem(
            "P010",
            f"{frame.pointer}/{escape_token(text)}",
            f"key {clip(text)} is read as {reading}, not a string; JSON object keys are strings",
            at="key",
        )

    def container_key(self, value: dict | list, span: Span) -> None:
        """A mapping or sequence used as a key: its JSON text becomes the key."""
        parent = self.stack[-1]
        text = json.dumps(value, default=str, sort_keys=True)[:80]
        self.problem(
            "P010",
            f"{parent.pointer}/{escape_token(text)}",
            f"a {'mapping' if isinstance(value, dict) else 'list'} is used as a key ({text}); "
            "JSON object keys are strings",
            at="key",
        )
        self.set_key(parent, text, span)

    def set_key(self, frame: _Frame, key: str, span: Span) -> None:
        pointer = f"{frame.pointer}/{escape_token(key)}"
        if key == "<<" and not self.json_mode:
            frame.key, frame.key_span = key, span
            return
        if key in frame.explicit:
            first = self.doc.positions.get(pointer, (None,))[0]
            where = f" (first at line {first[0]})" if first else ""
            message = f"duplicate key {clip(repr(key))}{where}; the last value wins"
            self.problem("P002", pointer, message, at="key")
        frame.explicit.add(key)
        frame.key, frame.key_span = key, span

    def start(self, event, container) -> None:
        stack = self.stack
        if len(stack) >= MAX_DEPTH:
            raise LimitExceeded(f"nesting deeper than {MAX_DEPTH} levels")
        if not stack:
            pointer = ""
        elif stack[-1].explicit is None:  # an item of a list
            pointer = f"{stack[-1].pointer}/{len(stack[-1].container)}"
        elif stack[-1].key is _NO_KEY:
            # A mapping or sequence used as a key: build it, then reject it as a key.
            pointer = stack[-1].pointer + "/?"
        else:
            pointer = f"{stack[-1].pointer}/{escape_token(stack[-1].key)}"
        if event.tag is not None and event.tag not in _KNOWN_TAGS:
            self.problem("P005", pointer, f"tag {_short(event.tag)} is not supported; read as data")
        explicit = set() if type(container) is dict else None
        stack.append(_Frame(container, pointer, event, explicit))
        self.nodes += 1  # count(1, 0): no characters added
        if self.nodes > MAX_NODES:
            self.count(0, 0)  # raises the limit's error

    def end(self, event) -> None:
        frame = self.stack.pop()
        if frame.merges:
            self.apply_merges(frame)
        start, end = frame.start.start_mark, event.end_mark
        span = (start.line + 1, start.column + 1, end.line + 1, end.column + 1)
        size, chars = frame.size, frame.chars
        if self.awaiting_key():
            if frame.start.anchor is not None:
                self.anchors[frame.start.anchor] = (frame.container, size, chars)
            self.container_key(frame.container, span)
            return
        self.place(frame.container, span, frame.start.anchor, size, chars)

    def alias(self, event) -> None:
        span = _span(event.start_mark, event.end_mark)
        if event.anchor not in self.anchors:
            raise yaml.composer.ComposerError(
                None, None, f"unknown alias *{event.anchor}", event.start_mark
            )
        value, size, chars = self.anchors[event.anchor]
        self.count(size, chars)
        if self.awaiting_key():
            self.alias_key(value, span)
            return
        self.place(value, span, None, size, chars)

    def alias_key(self, value: Any, span: Span) -> None:
        """An alias used as a key: the same key the anchored node would make."""
        frame = self.stack[-1]
        if isinstance(value, (dict, list)):
            self.container_key(value, span)
            return
        text = value if isinstance(value, str) else json.dumps(value)
        if not isinstance(value, str):
            self.non_string_key(frame, text, _KEY_TYPES[type(value)])
        self.set_key(frame, text, span)

    def place(self, value: Any, span: Span, anchor: str | None, size: int, chars: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size, chars)
        if not self.stack:
            self.root = value
            self.doc.positions[""] = (None, span)
            return
        frame = self.stack[-1]
        frame.size += size
        frame.chars += chars
        if frame.explicit is None:
            self.doc.positions[f"{frame.pointer}/{len(frame.container)}"] = (None, span)
            frame.container.append(value)
            return
        if frame.key == "<<" and not self.json_mode:
            frame.merges = frame.merges or []
            frame.merges.append((value, frame.key_span))
        else:
            pointer = f"{frame.pointer}/{escape_token(frame.key)}"
            self.doc.positions[pointer] = (frame.key_span, span)
            frame.container[frame.key] = value
        frame.key = _NO_KEY

    def apply_merges(self, frame: _Frame) -> None:
        """YAML 1.1 merge keys: explicit keys win, then earlier merged mappings."""
        for value, key_span in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    self.problem("P005", frame.pointer, "a merge key (<<) needs a mapping")
                    continue
                frame.size += len(source)
                for key, item in source.items():
                    if key not in frame.container:
                        frame.container[key] = item
                        pointer = f"{frame.pointer}/{escape_token(key)}"
                        self.doc.positions[pointer] = (key_span, key_span)


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


_KEY_TYPES = {bool: "a boolean", int: "an integer", float: "a number", type(None): "null"}


def iter_documents(
    text: str, *, json_mode: bool = False, layout: Layout | None = None
) -> Iterator[Document | ParseFailure]:
    """Yield each document of a YAML stream; a failure ends the stream.

    ``layout`` (filled as the stream is read) learns where comments can be.
    """
    layout = layout or Layout()
    parser = CParser(layout.hide_breaks(text))
    builder: _Builder | None = None
    index = 0
    started = 0  # offset of the current document's start
    get_event = parser.get_event
    scalar, mapping_start, sequence_start = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.SequenceStartEvent,
    )
    mapping_end, sequence_end, alias = yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.AliasEvent
    try:
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar:
                stack = builder.stack
                if not (stack and _fast_scalar(builder, stack[-1], event)):
                    builder.scalar(event)
            elif kind is mapping_start:
                builder.start(event, {})
            elif kind is mapping_end or kind is sequence_end:
                builder.end(event)
            elif kind is sequence_start:
                builder.start(event, [])
            elif kind is alias:
                builder.alias(event)
            elif kind is yaml.DocumentStartEvent:
                started = event.start_mark.index
                if index == MAX_DOCUMENTS:
                    layout.end = started
                    mark = event.start_mark
                    yield ParseFailure(
                        "P006",
                        f"more than {MAX_DOCUMENTS:,} documents: the rest of the file "
                        "is not linted",
                        Span(*_span(mark, mark)),
                    )
                    return
                builder = _Builder(index, json_mode, layout)
            elif kind is yaml.DocumentEndEvent:
                builder.doc.data = builder.root
                yield builder.doc
                builder = None
                index += 1
            elif kind is yaml.StreamEndEvent:
                yield from _misread_breaks(text, layout)
                return
    except yaml.MarkedYAMLError as exc:
        layout.end = started
        if "maximum nesting depth" in str(exc.problem):  # libyaml >= 0.2.6 stops at 1,000
            yield ParseFailure(
                "P006",
                f"document {index + 1} not linted: nesting deeper than {MAX_DEPTH} levels",
                Span(1, 1, 1, 1),
            )
            return
        mark = exc.problem_mark or exc.context_mark
        layout.end = mark.index if mark else 0
        span = (
            Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)
            if mark
            else (Span(1, 1, 1, 1))
        )
        yield ParseFailure("P001", _tab_message(text, mark) or _syntax_message(exc), span)
    except yaml.YAMLError as exc:
        layout.end = 0
        yield ParseFailure("P001", f"YAML syntax error: {exc}", Span(1, 1, 1, 1))
    except LimitExceeded as exc:
        layout.end = started
        start = builder.stack[0].start.start_mark if builder and builder.stack else None
        span = Span(*_span(start, start)) if start else Span(1, 1, 1, 1)
        yield ParseFailure("P006", f"document {index + 1} not linted: {exc}", span)
    finally:
        parser.dispose()


_BREAK_NAMES = {"\x85": "NEL (U+0085)", "\u2028": "U+2028", "\u2029": "U+2029"}


def _misread_breaks(text: str, layout: Layout) -> Iterator[ParseFailure]:
    """P013 on each line holding a NEL, U+2028 or U+2029 outside quotes (its first one):
    a line break to YAML 1.1 parsers (PyYAML, libyaml), text to YAML 1.2 ones (nimlint)."""
    offsets = layout.unquoted_breaks()
    if not offsets:
        return
    starts = [0, *(m.end() for m in re.finditer(LINE_BREAK, text))]
    reported = -1
    for offset in offsets:
        line = bisect.bisect_right(starts, offset)
        if line == reported:
            continue
        reported = line
        column = offset - starts[line - 1] + 1
        yield ParseFailure(
            "P013",
            f"{_BREAK_NAMES[text[offset]]} outside quotes: a line break to YAML 1.1 parsers "
            "(PyYAML, and the Run:ai Python SDK with it), not to nimlint (YAML 1.2), so the "
            "document reads differently by tool; delete it, or quote the value that holds it",
            Span(line, column, line, column + 1),
        )


def _fast_scalar(builder: _Builder, frame: _Frame, event) -> bool:
    """Place the common scalar (a plain key, or an untagged, unanchored value) in ``frame``,
    the innermost mapping or list, inline.

    Returns False, doing nothing, for anything else: the builder's methods handle it.
    """
    if event.tag is not None or event.anchor is not None:
        return False
    text = event.value
    if builder.hidden or "#" in text:
        return False
    plain = event.implicit[0]
    explicit = frame.explicit
    start, end = event.start_mark, event.end_mark
    span = (start.line + 1, start.column + 1, end.line + 1, end.column + 1)
    size = len(text)
    if builder.chars + size > MAX_CHARACTERS:
        return False
    if explicit is not None and frame.key is _NO_KEY:  # a key
        if text == "<<" or text in explicit:
            return False
        if plain and (text in _RESERVED or text[0] in _NUMBER_STARTS):
            return False  # a plain key YAML 1.2 may not read as a string
        explicit.add(text)
        frame.key, frame.key_span = text, span
        builder.chars += size
        frame.chars += size
        return True
    if frame.key == "<<":
        return False
    value = text
    if plain:
        value = _fast_plain(text, builder.json_mode)
        if value is _SLOW:
            return False
    if builder.nodes >= MAX_NODES:
        return False
    builder.nodes += 1
    builder.chars += size
    frame.chars += size
    frame.size += 1
    container = frame.container
    if explicit is None:
        builder.doc.positions[f"{frame.pointer}/{len(container)}"] = (None, span)
        container.append(value)
    else:
        key = frame.key
        token = key if "~" not in key and "/" not in key else escape_token(key)
        builder.doc.positions[f"{frame.pointer}/{token}"] = (frame.key_span, span)
        container[key] = value
        frame.key = _NO_KEY
    return True


_SLOW = object()
_UNREAD = object()
# Plain values that may read as other than their text (numbers, null, booleans), by text: a
# run's files repeat the same few (ports, counts, sizes), each read once. Bounded: cleared when
# full, and long texts (a huge number) are not kept.
_READINGS: dict[bool, dict[str, Any]] = {False: {}, True: {}}  # by json_mode
_MAX_READINGS = 4096
_MAX_READ_LENGTH = 64


def _fast_plain(text: str, json_mode: bool) -> Any:
    """A plain value's reading, or _SLOW when it needs a finding (P011, YAML 1.1 reading) or
    a note (a number not written as JSON writes it: Document.written)."""
    if not json_mode and text not in _RESERVED and text[0] not in _NUMBER_STARTS:
        return _SLOW if text in YAML11_BOOLEAN_WORDS else text  # a word: read as itself
    readings = _READINGS[json_mode]
    value = readings.get(text, _UNREAD)
    if value is _UNREAD:
        value = _plain_reading(text, json_mode)
        if len(text) <= _MAX_READ_LENGTH:
            if len(readings) >= _MAX_READINGS:
                readings.clear()
            readings[text] = value
    return value


def _plain_reading(text: str, json_mode: bool) -> Any:
    """``_fast_plain``'s answer for a plain value that may be a number, null or a boolean."""
    try:
        if json_mode:
            value = resolve_json_plain(text)
            return _SLOW if _rewritten(value, text) else value
        value = resolve_plain(text)
        slow = _rewritten(value, text) or yaml11_reading(text) is not None
    except ValueError:  # NotJSONNumber, or text JSON cannot read
        return _SLOW
    return _SLOW if slow else value


_NUMBER_STARTS = frozenset("0123456789+-.")
_RESERVED = frozenset(
    ("", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE")
)


def _tab_message(text: str, mark) -> str | None:
    """The message for a tab that indents a line, which libyaml reports only as a
    character "that cannot start any token"."""
    if mark is None:
        return None
    lines = re.split(LINE_BREAK, text, maxsplit=mark.line + 1)
    line = lines[mark.line] if mark.line < len(lines) else ""
    indent = line[: mark.column + 1]
    if "\t" in indent and not indent.strip():
        return "YAML cannot be indented with tabs: indent with spaces"
    return None


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    text = "YAML syntax error: " + ", ".join(parts) if parts else "YAML syntax error"
    start, end = exc.context_mark, exc.problem_mark
    if start is not None and end is not None and start.line != end.line:
        text += f" (the construct starts at line {start.line + 1}, column {start.column + 1})"
    return text


def _rewritten(value: Any, text: str) -> bool:
    """Is ``value`` a boolean or number that JSON (and nimlint's messages) write otherwise?"""
    if isinstance(value, bool):
        return text != ("true" if value else "false")
    return isinstance(value, (int, float)) and text != repr(value)
