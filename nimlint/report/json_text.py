"""Indented JSON text, as ``json.dumps(value, indent=2)`` writes it, at C-encoder speed.

With an indent, the standard library encodes through its pure-Python encoder, a chain of
generators per nested value; for the reports CI uploads (JSON, SARIF) that was most of the
cost of rendering. Here strings are escaped by the C functions ``json`` itself uses and the
rest is appended to one list: the same text (tests/test_json_text.py holds it to
``json.dumps`` on generated values), about three times faster.
"""

from __future__ import annotations

from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

_CONSTANTS = {None: "null", True: "true", False: "false"}


class Raw(str):
    """JSON text written already, for the depth where it goes: copied as it is."""


def dumps(value: Any, *, ensure_ascii: bool = True, level: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=ensure_ascii)``: the same text (reports are
    trees: a circular value is a RecursionError here, a ValueError there); at ``level``, the
    text of a value nested that deep in another (its lines indented by 2 x ``level``)."""
    out: list[str] = []
    string = encode_basestring_ascii if ensure_ascii else encode_basestring
    _write(value, out, "\n" + "  " * level, string)
    return "".join(out)


def _write(value: Any, out: list[str], newline: str, string) -> None:
    kind = type(value)
    if kind is dict:
        _mapping(value, out, newline, string)
    elif kind is list or kind is tuple:
        _sequence(value, out, newline, string)
    elif isinstance(value, str):
        out.append(value if kind is Raw else string(value))
    elif value is None or value is True or value is False:
        out.append(_CONSTANTS[value])
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, dict):  # a subclass, through its own items() as json reads it
        _mapping(value, out, newline, string)
    elif isinstance(value, (list, tuple)):
        _sequence(value, out, newline, string)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _mapping(value: dict, out: list[str], newline: str, string) -> None:
    if not value:
        out.append("{}")
        return
    inner = newline + "  "
    separator = "{" + inner
    for key, item in value.items():
        name = string(key if type(key) is str else _key(key))
        leaf = type(item)
        if leaf is str:  # the common leaves, without a call
            out.append(f"{separator}{name}: {string(item)}")
        elif leaf is int:
            out.append(f"{separator}{name}: {int.__repr__(item)}")
        else:
            out.append(f"{separator}{name}: ")
            _write(item, out, inner, string)
        separator = "," + inner
    out.append(newline + "}")


def _sequence(value: list | tuple, out: list[str], newline: str, string) -> None:
    if not value:
        out.append("[]")
        return
    inner = newline + "  "
    separator = "[" + inner
    for item in value:
        out.append(separator)
        _write(item, out, inner, string)
        separator = "," + inner
    out.append(newline + "]")


def _key(key: Any) -> str:
    """A key that is not a string, as json writes it: ``1`` is "1", ``True`` is "true"."""
    if isinstance(key, str):
        return key
    if key is None or key is True or key is False:
        return _CONSTANTS[key]
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return _float(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)
