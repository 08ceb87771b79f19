"""What a rule sees: one document, its kind, and pointer helpers."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from functools import lru_cache
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
    node = root
    for token in pointer.split("/")[1:] if pointer else ():
        node = step(node, token)
        if node is MISSING:
            return MISSING
    return node


def below(node: Any, path: str) -> Any:
    """The value at relative ``path`` (``a/b``: pointer tokens) under ``node``, or MISSING;
    a one-token path in one step."""
    return step(node, path) if "/" not in path else lookup(node, "/" + path)


def step(node: Any, token: str) -> Any:
    """The child of ``node`` at one (escaped) pointer token, or MISSING."""
    if "~" in token:
        token = unescape_token(token)
    if isinstance(node, dict):
        return node.get(token, MISSING)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return MISSING


def _expand_below(matches: list[tuple[str, Any]], tokens: Sequence[str]) -> list[tuple[str, Any]]:
    """``matches`` followed down ``tokens`` (``*``: every key or index)."""
    for token in tokens:
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
                value = step(node, token)
                if value is not MISSING:
                    following.append((f"{pointer}/{token}", value))
        matches = following
    return matches


# Pointers up to this deep are looked up from their cached parent (recursively); deeper ones,
# which no shipped rule uses, from the root.
_STEPPED_DEPTH = 16


def without_unset(data: Any) -> Any:
    """``data`` as rules should read it: below its top-level values, a ``null`` field is not
    set, and neither is an object whose fields are all unset ("Null means not set": every
    field of the Run:ai document is nullable, and SDKs send unset fields as ``null``).

    List entries stay (``[{name: null}]`` is an entry without a name), and so do the
    top-level objects (``spec: {}``): create rules report what they lack. Unchanged parts
    are shared, not copied; a document without nulls or empty objects is returned as is.
    """
    if not isinstance(data, dict):
        return data
    changed = {}
    for key, value in data.items():
        if isinstance(value, (dict, list)) and _holds_unset(value):
            kept = _kept(_pruned(value), value)
            if kept is not value:
                changed[key] = kept
    return {**data, **changed} if changed else data


_UNSET = object()
_UNCACHED = object()


def _holds_unset(root: dict | list) -> bool:
    """Does an object below ``root`` have a null field or an empty object? (A quick scan:
    most documents have neither, and are then not rebuilt.)"""
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.values() if type(node) is dict else node:
            if type(child) is dict:
                if not child and type(node) is dict:
                    return True
                stack.append(child)
            elif type(child) is list:
                stack.append(child)
            elif child is None and type(node) is dict:
                return True
    return False


def _pruned(root: dict | list) -> Any:
    """``root`` without unset fields (the same object when it has none); _UNSET when it is
    an object with nothing set. Walked with a stack (documents can be deep), each shared
    (aliased) node once."""
    done: dict[int, Any] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in done:
            continue
        children = node.values() if isinstance(node, dict) else node
        if not children_done:
            stack.append((node, True))
            stack.extend((c, False) for c in children if isinstance(c, (dict, list)))
            continue
        done[id(node)] = _rebuilt(node, done)
    return done[id(root)]


def _rebuilt(node: dict | list, done: dict[int, Any]) -> Any:
    """``node`` from its children's results in ``done``."""

    def new(child: Any) -> Any:
        return done[id(child)] if isinstance(child, (dict, list)) else child

    if isinstance(node, list):
        items = [_kept(new(item), item) for item in node]
        return node if all(map(operator.is_, items, node)) else items
    kept = {key: value for key, child in node.items() if (value := new(child)) is not None}
    kept = {key: value for key, value in kept.items() if value is not _UNSET}
    if not kept:
        return _UNSET
    same = len(kept) == len(node) and all(kept[k] is v for k, v in node.items())
    return node if same else kept


def _kept(new: Any, old: Any) -> Any:
    """What stays of ``old`` where it cannot be dropped: an object of unset fields is empty."""
    if new is _UNSET:
        return old if old == {} else {}
    return new


class Context:
    """The document a rule checks. Lookups and glob expansions are shared by its rules."""

    __slots__ = ("_applied", "_expansions", "_values", "data", "kind")

    def __init__(self, data: Any, kind: str):
        self.data = without_unset(data)
        self.kind = kind
        self._expansions: dict[str, list[tuple[str, Any]]] = {}
        self._values: dict[str, Any] = {}
        self._applied: dict[str, list[tuple[str, dict]]] = {}

    def get(self, pointer: str) -> Any:
        """The value at ``pointer`` (or MISSING); rules must not modify what they get."""
        value = self._values.get(pointer, _UNCACHED)  # a miss is common: no KeyError raised
        if value is not _UNCACHED:
            return value
        if pointer.startswith("/") and pointer.count("/") <= _STEPPED_DEPTH:
            # One step below the parent, itself looked up (and cached) the same way.
            parent, _, token = pointer.rpartition("/")
            value = step(self.get(parent) if parent else self.data, token)
        else:
            value = lookup(self.data, pointer)
        self._values[pointer] = value
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
        """Every (pointer, value) matching ``glob``, where ``*`` matches any key or index;
        found once per glob."""
        matches = self._expansions.get(glob)
        if matches is None:
            prefix, rest = _split_glob(glob)
            value = self.get(prefix)  # the part before the first *, from the lookup cache
            start = [] if value is MISSING else [(prefix, value)]
            matches = self._expansions[glob] = _expand_below(start, rest)
        return iter(matches)


@lru_cache(maxsize=1024)  # rules use a few dozen globs, on every document
def _split_glob(glob: str) -> tuple[str, tuple[str, ...]]:
    """(the pointer before the first ``*`` token, the tokens from it on)."""
    tokens = glob.split("/")[1:] if glob else []
    fixed = tokens.index("*") if "*" in tokens else len(tokens)
    return "".join("/" + token for token in tokens[:fixed]), tuple(tokens[fixed:])
