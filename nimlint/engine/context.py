"""What a rule sees: one document, its kind, and pointer helpers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nimlint.loading.model import escape_token, unescape_token

MISSING: Any = type(
    "Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda s: False}
)()


def present(value: Any) -> bool:
    """A field is present when its key exists with a non-null value."""
    return value is not MISSING and value is not None


def as_int(value: Any) -> int | None:
    """``value`` if it is an integer (not a boolean), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def lookup(root: Any, pointer: str) -> Any:
    """The value at JSON pointer ``pointer`` under ``root``, or MISSING."""
    if not pointer:
        return root
    node = root
    for token in pointer.split("/")[1:]:
        if "~" in token:
            token = unescape_token(token)
        if isinstance(node, dict):
            node = node.get(token, MISSING)
            if node is MISSING:
                return MISSING
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return MISSING
    return node


def expand(root: Any, glob: str) -> Iterator[tuple[str, Any]]:
    """Every (pointer, value) matching ``glob``, where ``*`` matches any key or index."""
    matches: list[tuple[str, Any]] = [("", root)]
    for token in glob.split("/")[1:] if glob else ():
        following: list[tuple[str, Any]] = []
        for pointer, node in matches:
            if token == "*":
                items = (
                    node.items()
                    if isinstance(node, dict)
                    else (enumerate(node) if isinstance(node, list) else ())
                )
                following.extend((f"{pointer}/{escape_token(str(k))}", v) for k, v in items)
            else:
                value = lookup(node, "/" + token)
                if value is not MISSING:
                    following.append((f"{pointer}/{token}", value))
        matches = following
    return iter(matches)


class Context:
    """The document a rule checks. Lookups and glob expansions are shared by its rules."""

    __slots__ = ("_applied", "_expansions", "_values", "data", "kind")

    def __init__(self, data: Any, kind: str):
        self.data = data
        self.kind = kind
        self._expansions: dict[str, list[tuple[str, Any]]] = {}
        self._values: dict[str, Any] = {}
        self._applied: dict[str, list[tuple[str, dict]]] = {}

    def get(self, pointer: str) -> Any:
        """The value at ``pointer`` (or MISSING); rules must not modify what they get."""
        try:
            return self._values[pointer]
        except KeyError:
            value = self._values[pointer] = lookup(self.data, pointer)
            return value

    def applied(self, pointer: str) -> Iterator[tuple[str, dict]]:
        """(pointer, entry) for each mapping in the list at ``pointer`` that reaches the cluster.

        Run:ai list entries (env vars, labels, annotations, tolerations...) carry
        ``exclude: true`` to drop a policy default; such an entry is skipped.
        """
        entries = self._applied.get(pointer)
        if entries is None:
            items = self.get(pointer)
            entries = self._applied[pointer] = (
                [
                    (f"{pointer}/{index}", entry)
                    for index, entry in enumerate(items)
                    if isinstance(entry, dict) and entry.get("exclude") is not True
                ]
                if isinstance(items, list)
                else []
            )
        return iter(entries)

    def each(self, glob: str) -> Iterator[tuple[str, Any]]:
        matches = self._expansions.get(glob)
        if matches is None:
            matches = self._expansions[glob] = list(expand(self.data, glob))
        return iter(matches)
