"""Readable names for fields, values and the document's regular expressions (all layers)."""

from __future__ import annotations

import json
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
        token = unescape_token(token)
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return out or "the document"


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


def show(value: Any, limit: int = 60) -> str:
    """A short JSON rendering of ``value`` for messages."""
    if isinstance(value, str) and len(value) > limit:
        value = value[:limit]
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def type_words(types: list[str]) -> str:
    words = [_TYPE_WORDS.get(t, t) for t in types if t != "null"]
    text = " or ".join(words) or "null"
    return text + (" (or null)" if "null" in types and words else "")


def pattern_words(pattern: str) -> str:
    words = _PATTERN_WORDS.get(pattern)
    return f"{words} (pattern {pattern})" if words else f"the pattern {pattern}"
