"""Positions: nimlint's 1-based line and code-point column, LSP's 0-based line and character
(UTF-16 code units by default; UTF-8 or UTF-32 when client and server agreed on it), and
offsets into the buffer."""

from __future__ import annotations

import bisect
import re

from lsprotocol import types

from nimlint.loading.layout import LINE_BREAK

_BREAK = re.compile(LINE_BREAK)  # the loader's breaks: \r\n, \r and \n, as LSP counts them


def _units(piece: str, encoding: str) -> int:
    """Code units of ``piece`` in ``encoding`` (a lone surrogate is one UTF-16 unit)."""
    if piece.isascii() or encoding == "utf-32":
        return len(piece)
    if encoding == "utf-8":
        return len(piece.encode("utf-8", "surrogatepass"))
    return len(piece.encode("utf-16-le", "surrogatepass")) // 2


def _width(char: str, encoding: str) -> int:
    return _units(char, encoding) if ord(char) > 0x7F else 1


class Lines:
    """A buffer's line starts, to convert between offsets, spans and LSP positions."""

    def __init__(self, text: str, encoding: str = "utf-16"):
        self.text = text
        self.encoding = encoding
        self.bom = 1 if text.startswith("\ufeff") else 0  # nimlint's columns start after it
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def line_end(self, line: int) -> int:
        """Offset of the end of 0-based ``line``, before its line break."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            return end - 2 if self.text.startswith("\r\n", end - 2) else end - 1
        return len(self.text)

    def line_text(self, line: int) -> str:
        if not 0 <= line < len(self.starts):
            return ""
        return self.text[self.starts[line] : self.line_end(line)]

    def offset_of(self, line: int, column: int) -> int:
        """Offset of 1-based ``line`` and code-point ``column`` (clamped to the text)."""
        line = min(max(line, 1), len(self.starts)) - 1
        start = self.starts[line] + (self.bom if line == 0 else 0)
        return min(start + max(column, 1) - 1, self.line_end(line))

    def position(self, offset: int) -> types.Position:
        offset = min(max(offset, 0), len(self.text))
        line = bisect.bisect_right(self.starts, offset) - 1
        piece = self.text[self.starts[line] : offset]
        return types.Position(line, _units(piece, self.encoding))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(self.position(start), self.position(end))

    def edit_range(self, start: int, end: int) -> types.Range:
        """The LSP range of a fix's edit (offsets into the text nimlint read, BOM removed)."""
        return self.range(start + self.bom, end + self.bom)

    def span_range(self, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        """The LSP range of a 1-based span (end exclusive)."""
        return self.range(self.offset_of(line, column), self.offset_of(end_line, end_column))

    def offset(self, position: types.Position) -> int:
        """Offset of an LSP position (a character past the line's end is its end)."""
        if position.line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[position.line], self.line_end(position.line)
        piece = self.text[start:end]
        if piece.isascii():
            return start + min(position.character, len(piece))
        units = 0
        for index, char in enumerate(piece):
            if units >= position.character:
                return start + index
            units += _width(char, self.encoding)
        return end
