"""Readable names for fields, values and the document's regular expressions (all layers)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from nimlint.loading.model import unescape_token

_PATTERN_WORDS = {
    "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$": "lowercase letters, digits and '-', "
    "starting and ending with a letter or digit",
    "^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$": "a Kubernetes quantity such as 512Mi or 2G",
    "^(\\x2F[a-zA-Z0-9\\-_.\\x2F]*)?$": "an absolute path ('/' then letters, digits, '-', '_', "
    "'.', '/')",
    "^[a-zA-Z_:][a-zA-Z0-9_:]*$": "a Prometheus metric name",
    "^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$": "letters, digits, '-', '_' and '.', "
    "starting and ending with a letter or digit",
}
_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def field_name(pointer: str) -> str:
    """``/spec/tolerations/0/value`` -> ``spec.tolerations[0].value``."""
    out = ""
    for token in pointer.split("/")[1:]:
        token = clip(unescape_token(token), 60)
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return clip(out) or "the document"


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


MAX_QUOTED = 200  # characters of a user's value (or key) a message may quote


def clip(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` cut to ``limit`` characters (never over MAX_QUOTED), ending in '...' if cut.

    Every message that quotes a value, a key or a comment from the input goes through here
    (``show`` included): a 1,000,000-character value must not make a 1,000,000-character line.
    """
    limit = min(limit, MAX_QUOTED)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show(value: Any, limit: int = 60) -> str:
    """A short JSON rendering of ``value`` for messages."""
    if isinstance(value, str) and len(value) > limit:
        value = value[:limit]
    return clip(json.dumps(value, ensure_ascii=False, default=str), limit)


def show_list(values: Sequence[Any], limit: int = MAX_QUOTED, shown=None) -> str:
    """``"a", "b", ... (19,998 more)``: each value shown (``show``, or ``shown``) and joined
    with ", " while the text stays within ``limit`` characters; the rest only counted. A
    policy's 20,000 options must not put 20,000 values in every message."""
    shown = shown or show
    parts: list[str] = []
    used = 0
    for index, value in enumerate(values):
        text = shown(value)
        used += len(text) + 2 * bool(parts)
        if parts and used > limit:
            return ", ".join(parts) + f", ... ({len(values) - index:,} more)"
        parts.append(text)
    return ", ".join(parts)


def type_words(types: list[str]) -> str:
    words = [_TYPE_WORDS.get(t, t) for t in types if t != "null"]
    text = " or ".join(words) or "null"
    return text + (" (or null)" if "null" in types and words else "")


def pattern_words(pattern: str) -> str:
    words = _PATTERN_WORDS.get(pattern)
    return f"{words} (pattern {pattern})" if words else f"the pattern {clip(pattern)}"
