"""What the loader learns about a YAML text besides its data: where comments can be.

libyaml reports no comments, but it reports every scalar's extent: a ``#`` outside all
scalars (before the point where reading stopped) starts a comment; one inside a quoted or
block scalar is text. libyaml also counts NEL, U+2028 and U+2029 as line breaks (YAML 1.1);
editors and every other tool do not, so the loader hides them from libyaml behind unused
private-use characters of the same length and puts them back in keys and values. Outside a
quoted scalar such a character makes the document read differently by YAML version (a comment
to nimlint, a new line and key to PyYAML): the layout knows where those are (P013).
"""

from __future__ import annotations

import bisect
import re

BREAKS = "\x85\u2028\u2029"
# How the loader counts lines (a regular expression): so lines and line numbers agree
# everywhere, in excerpts, suppressions and fixes; NEL, U+2028 and U+2029 are not breaks.
LINE_BREAK = "\r\n|\r|\n"
_PRIVATE = "[\ue000-\uf8ff\U000f0000-\U000ffffd]"  # compiled only when needed (~3 ms)
_CANDIDATES = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE))  # lazy: no tuple at import


class Layout:
    """Scalar extents holding ``#`` (character offsets) and the hidden line separators."""

    def __init__(self) -> None:
        self.hashed: list[tuple[int, int]] = []  # (start, end) of scalars holding '#'
        self.end: int | None = None  # offset where reading stopped; None: the whole text
        self.table: dict[int, str] | None = None  # placeholder code point -> separator
        self.breaks: list[int] = []  # offsets of the hidden separators
        self.quoted: list[tuple[int, int]] = []  # (start, end) of quoted scalars, if any

    def hide_breaks(self, text: str) -> str:
        """``text`` with NEL, U+2028 and U+2029 replaced by unused private-use characters."""
        if not any(b in text for b in BREAKS):
            return text
        used = set(re.findall(_PRIVATE, text))
        free = (chr(c) for block in _CANDIDATES for c in block if chr(c) not in used)
        placeholders = [next(free) for _ in BREAKS]
        self.breaks = [match.start() for match in re.finditer(f"[{BREAKS}]", text)]
        self.table = {ord(p): b for p, b in zip(placeholders, BREAKS, strict=True)}
        return text.translate({ord(b): p for b, p in zip(BREAKS, placeholders, strict=True)})

    def restore(self, text: str) -> str:
        return text if self.table is None else text.translate(self.table)

    def scalar(self, event) -> None:
        """Remember a scalar's extent when it holds a ``#``, or is quoted in a text that holds
        a line separator."""
        if "#" in event.value:
            self.hashed.append((event.start_mark.index, event.end_mark.index))
        if self.table is not None and event.style in ("'", '"'):
            self.quoted.append((event.start_mark.index, event.end_mark.index))

    def unquoted_breaks(self) -> list[int]:
        """Offsets of the NEL, U+2028 and U+2029 outside every quoted scalar (comments, plain
        and block scalars, between tokens): YAML 1.1 and 1.2 parsers read those differently."""
        quoted = iter(self.quoted)  # both in text order
        span = next(quoted, None)
        found = []
        for offset in self.breaks:
            while span is not None and span[1] <= offset:
                span = next(quoted, None)
            if span is None or offset < span[0]:
                found.append(offset)
        return found

    def may_be_comment(self, offset: int) -> bool:
        """Whether a ``#`` at ``offset`` starts a comment (outside every scalar read)."""
        if self.end is not None and offset >= self.end:
            return False
        i = bisect.bisect_right(self.hashed, (offset, float("inf"))) - 1
        return i < 0 or not (self.hashed[i][0] <= offset < self.hashed[i][1])
