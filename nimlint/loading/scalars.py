"""Plain-scalar resolution: YAML 1.2 core schema, and what YAML 1.1 would read instead.

nimlint reads plain scalars as YAML 1.2 (the core schema; what yq 4, go-yaml v3 and JSON
agree on). YAML 1.1 parsers (PyYAML's safe_load, go-yaml v2) read some of them
differently, and that difference is reported where it matters.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")

_YAML11_BOOL = {
    **{w: "true" for w in ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON")},
    **{w: "false" for w in ("n", "N", "no", "No", "NO", "off", "Off", "OFF")},
}
# The only plain words (not numbers) a YAML 1.1 parser reads as other than text.
YAML11_BOOLEAN_WORDS = frozenset(_YAML11_BOOL)
_YAML11_OCTAL = re.compile(r"[-+]?0[0-7_]+\Z")
_YAML11_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_YAML11_UNDERSCORE = r"[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)\Z"  # re caches

MAX_INT = 2**63 - 1
MIN_INT = -(2**63)


class NotJSONNumber(ValueError):
    """A number JSON cannot carry (NaN, infinity, or an integer beyond 64 bits)."""


def resolve_plain(text: str) -> Any:
    """Resolve a plain (unquoted, untagged) scalar by the YAML 1.2 core schema."""
    if text in _NULL:
        return None
    if text in _BOOL:
        return _BOOL[text]
    first = text[0]
    if first.isdigit() or first in "+-.":
        return _resolve_number(text)
    return text


def _resolve_number(text: str) -> Any:
    if _INT.match(text):
        return _checked_int(text, 10)
    if _OCT.match(text):
        return _checked_int(text[2:], 8)
    if _HEX.match(text):
        return _checked_int(text[2:], 16)
    if _FLOAT.match(text):
        value = float(text)
        if math.isinf(value):
            raise NotJSONNumber("it overflows a 64-bit float")
        return value
    if _INF.match(text) or _NAN.match(text):
        raise NotJSONNumber("NaN and infinity are not JSON numbers")
    return text


def _checked_int(digits: str, base: int) -> int:
    if len(digits) > 40:
        raise NotJSONNumber("the integer is beyond the 64-bit range")
    value = int(digits, base)
    if not MIN_INT <= value <= MAX_INT:
        raise NotJSONNumber("the integer is beyond the 64-bit range")
    return value


def resolve_json_plain(text: str) -> Any:
    """Resolve a bare JSON literal (number, true, false, null), rejecting NaN/Infinity."""
    value = json.loads(text, parse_int=lambda d: _checked_int(d, 10), parse_constant=_reject)
    if isinstance(value, float) and math.isinf(value):
        raise NotJSONNumber("it overflows a 64-bit float")
    return value


def _reject(constant: str) -> Any:
    raise NotJSONNumber(f"{constant} is not valid JSON")


def yaml11_reading(text: str) -> str | None:
    """How a YAML 1.1 parser reads plain scalar ``text``, when that differs from YAML 1.2."""
    if text in _YAML11_BOOL:
        return f"boolean {_YAML11_BOOL[text]}"
    if not text or not (text[0].isdigit() or text[0] in "+-"):
        return None
    if _YAML11_SEXAGESIMAL.match(text):
        return "a base-60 (sexagesimal) number"
    if _YAML11_OCTAL.match(text) and text.lstrip("+-") not in ("0",):
        return "an octal number"
    if "_" in text and re.match(_YAML11_UNDERSCORE, text):
        return "a number (YAML 1.1 ignores '_' in numbers)"
    return None
