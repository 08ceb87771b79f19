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


def dumps(value: Any, *, ensure_ascii: bool = True) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=ensure_ascii)``: the same text."""
    out: list[str] = []
    _write(value, out, "\n", encode_basestring_ascii if ensure_ascii else encode_basestring)
    return "".join(out)


def _write(value: Any, out: list[str], newline: str, string) -> None:
    kind = type(value)
    if kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str and not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            leaf = type(item)
            if leaf is str:  # the common leaves, without a call
                out.append(f"{separator}{string(key)}: {string(item)}")
            elif leaf is int:
                out.append(f"{separator}{string(key)}: {int.__repr__(item)}")
            else:
                out.append(f"{separator}{string(key)}: ")
                _write(item, out, inner, string)
            separator = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
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
    elif isinstance(value, str):
        out.append(string(value))
    elif value is None or value is True or value is False:
        out.append(_CONSTANTS[value])
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, dict):  # a subclass: as a dict
        _write(dict(value), out, newline, string)
    elif isinstance(value, (list, tuple)):
        _write(list(value), out, newline, string)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)
