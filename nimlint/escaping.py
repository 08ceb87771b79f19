"""One way to show outside text (file names, keys, values, config) on a terminal or in a report.

Every formatter and every ``nimlint: error:`` line passes such text through ``printable``, so a
file name holding a newline cannot start a line of its own (a GitHub workflow command, a fake
finding), ESC cannot drive the terminal, and invisible or bidi characters (U+200B, U+202E, the
BOM) show up instead of hiding or reordering what follows.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with every character Python does not call printable shown as an escape.

    Control characters become ``\\x1b``; format, separator, surrogate and other invisible
    characters become ``\\u200b`` (``\\U000e0001`` above U+FFFF). The space stays as is.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable_lines(text: str) -> str:
    """``text`` made printable line by line: its newlines stay (multi-line docs), no other
    control character does (``\\r`` too is escaped)."""
    return "\n".join(printable(line) for line in text.split("\n"))
