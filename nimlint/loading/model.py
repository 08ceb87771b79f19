"""What the loader produces: documents with positions, and parse failures."""

from __future__ import annotations

from typing import Any, NamedTuple

from nimlint.findings import Problem, Span

# pointer -> (1-based (line, column, end line, end column) of the key that holds it, or None
# for the root and list items; the same of the value). Spans are made only for findings.
Spot = tuple[int, int, int, int]
Positions = dict[str, tuple["Spot | None", Spot]]


class Document:
    """One YAML document (or the JSON text) as plain data plus positions.

    ``problems`` are what the loader noticed inside the document (duplicate keys,
    unsupported tags...), as (rule id, Problem). ``yaml11`` maps the pointer of every
    plain scalar that a YAML 1.1 parser would read differently to (text, 1.1 reading).
    ``written`` maps the pointer of every number written otherwise than Python shows it
    (``0755``, ``1e9``, ``1.50``) to its text, so that messages can quote it as written.
    """

    __slots__ = ("data", "index", "positions", "problems", "written", "yaml11")

    def __init__(self, data: Any, index: int, positions: Positions):
        self.data = data
        self.index = index
        self.positions = positions
        self.problems: list[tuple[str, Problem]] = []
        self.yaml11: dict[str, tuple[str, str]] = {}
        self.written: dict[str, str] = {}

    def span(self, pointer: str, at: str = "value") -> Span:
        """Span of ``pointer``'s value (or key); the nearest known ancestor if unknown."""
        while True:
            entry = self.positions.get(pointer)
            if entry is not None:
                key_spot, value_spot = entry
                return Span(*(key_spot if at == "key" and key_spot is not None else value_spot))
            if not pointer:
                return Span(1, 1, 1, 1)
            pointer = pointer.rsplit("/", 1)[0]
            at = "key"


class ParseFailure(NamedTuple):
    """A problem that stopped the loader from producing a document."""

    rule: str
    message: str
    span: Span


def escape_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~") if "~" in token else token


def value_at(data: Any, pointer: str) -> Any:
    """The value at JSON pointer ``pointer`` in ``data``; None if there is none."""
    try:
        for token in pointer.split("/")[1:]:
            token = unescape_token(token)
            data = data[int(token)] if isinstance(data, list) else data[token]
    except (LookupError, TypeError, ValueError):
        return None
    return data


def copied(data: Any) -> Any:
    """Loaded ``data`` (dicts, lists, scalars) with every dict and list new and a node that
    aliases share still shared, as ``copy.deepcopy`` makes it, in half its time."""
    memo: dict[int, Any] = {}

    def copy(node: Any) -> Any:
        made = memo.get(id(node))
        if made is not None:
            return made
        if type(node) is dict:
            new: Any = {}
            memo[id(node)] = new
            for key, value in node.items():
                new[key] = copy(value) if type(value) in _CONTAINERS else value
        else:
            new = []
            memo[id(node)] = new
            for value in node:
                new.append(copy(value) if type(value) in _CONTAINERS else value)
        return new

    return copy(data) if type(data) in _CONTAINERS else data


_CONTAINERS = (dict, list)
