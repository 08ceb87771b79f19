"""What the loader produces: documents with positions, and parse failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nimlint.findings import Problem, Span

# pointer -> (span of the key that holds it, or None for the root and list items; span of value)
Positions = dict[str, tuple["Span | None", Span]]


@dataclass
class Document:
    """One YAML document (or the JSON text) as plain data plus positions.

    ``problems`` are what the loader noticed inside the document (duplicate keys,
    unsupported tags...), as (rule id, Problem). ``yaml11`` maps the pointer of every
    plain scalar that a YAML 1.1 parser would read differently to (text, 1.1 reading).
    """

    data: Any
    index: int
    positions: Positions
    problems: list[tuple[str, Problem]] = field(default_factory=list)
    yaml11: dict[str, tuple[str, str]] = field(default_factory=dict)

    def span(self, pointer: str, at: str = "value") -> Span:
        """Span of ``pointer``'s value (or key); the nearest known ancestor if unknown."""
        while True:
            entry = self.positions.get(pointer)
            if entry is not None:
                key_span, value_span = entry
                return key_span if at == "key" and key_span is not None else value_span
            if not pointer:
                return Span(1, 1, 1, 1)
            pointer = pointer.rsplit("/", 1)[0]
            at = "key"


@dataclass(frozen=True)
class ParseFailure:
    """A problem that stopped the loader from producing a document."""

    rule: str
    message: str
    span: Span


def clipped(value: Any, depth: int) -> Any:
    """A copy of ``value`` whose containers ``depth`` levels down are emptied."""
    if not isinstance(value, (dict, list)):
        return value
    if depth == 0:
        return type(value)()
    if isinstance(value, dict):
        return {key: clipped(item, depth - 1) for key, item in value.items()}
    return [clipped(item, depth - 1) for item in value]


def escape_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")
