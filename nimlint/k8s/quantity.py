"""Exact Kubernetes ``resource.Quantity`` parsing and comparison.

Follows k8s.io/apimachinery ``pkg/api/resource``: ``quantity.go`` (``parseQuantityString``,
``ParseQuantity``), ``suffix.go`` (``newSuffixer``, ``suffixHandler.interpret``) and the
tables in ``quantity_test.go`` (``TestQuantityParse``). Values are exact (a whole number of
nanos, computed in integers; ``Quantity.value`` gives it as a ``Fraction``):

- Suffixes: n u m "" k M G T P E (powers of ten), Ki Mi Gi Ti Pi Ei (powers of two), and
  ``e``/``E`` followed by ``strconv.ParseInt``'s ``[+-]?[0-9]+``: the exponent is an integer.
  ``E`` alone is exa; ``K``, ``mi`` and ``KiB`` are errors.
- The value is what the API server keeps: the magnitude is rounded up (away from zero) to a
  whole number of nanos (``amount.Round(amount, Nano.infScale(), inf.RoundUp)``: "0.9n" is 1n),
  and a binary-suffixed magnitude is capped silently at 2**63-1 (``maxAllowed``: "9Ei").
  Decimal quantities are not capped, so ParseQuantity rejects nothing for being too large,
  except an exponent that overflows int64 (``ErrSuffix``).
- Whitespace anywhere is an error, as in ParseQuantity (" 1", "1 " in TestQuantityParse).
  The API server's ``UnmarshalJSON`` trims surrounding whitespace before parsing; callers
  wanting that leniency strip first. Only strings are accepted: callers convert YAML
  numbers with ``str()`` first (``str(1e-07)`` is "1e-07", which parses).

Deliberate differences from ParseQuantity, all rejections with a QuantityError:
- A number without digits ("Gi", "k", ".", "+") is rejected, as the documented grammar
  requires; ParseQuantity's scanner reads it as zero (kubernetes/apimachinery#165).
- Exponents beyond +-1000 and mantissas over 1000 digits are not evaluated. Kubernetes keeps
  any number of digits and truncates the exponent to int32 (``int32(parsed)``), so
  "1e4294967296" means 1 there.
"""

from __future__ import annotations

import re
from functools import lru_cache, total_ordering
from typing import TYPE_CHECKING

from nimlint.messages import MAX_QUOTED, show

if TYPE_CHECKING:
    from fractions import Fraction

_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
# "M" before "m": "1MB" and "1mb" mean megabytes, never millibytes.
_HINTS = ("Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "M", "m", "k", "G", "T", "P", "E")
_MAX_BINARY = 2**63 - 1
_NANO = 10**9
_LIMIT = 1000

_NUMBER = re.compile(r"[+-]?[0-9]*(?:\.[0-9]*)?")
# Only invalid exponents need these: compiled (and cached by re) on first use.
_EXPONENT = r"[+-]?[0-9]+"
_FRACTIONAL_EXPONENT = r"[+-]?[0-9]*\.[0-9]*"
_MISPLACED_SIGN = re.compile(r"[^eE][+-]")


class QuantityError(ValueError):
    """A string that Kubernetes would not accept as a quantity."""


@total_ordering
class Quantity:
    """A parsed quantity, immutable: its exact value as a whole number of ``nanos``.

    Equality, ordering and hashing use only that number. ``value`` is the same as a
    ``Fraction`` (the fractions module is imported only when it is asked for). A plain class,
    not a dataclass: the decorator costs start-up time (benchmarks/startup.py).
    """

    __slots__ = ("nanos", "suffix", "text")
    nanos: int
    suffix: str
    text: str

    def __init__(self, nanos: int, suffix: str, text: str):
        for name, item in (("nanos", nanos), ("suffix", suffix), ("text", text)):
            object.__setattr__(self, name, item)

    @property
    def value(self) -> Fraction:
        """The exact value, in units (bytes, cores)."""
        from fractions import Fraction

        return Fraction(self.nanos, _NANO)

    @property
    def is_whole(self) -> bool:
        """Is the value a whole number of units?"""
        return self.nanos % _NANO == 0

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a Quantity is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a Quantity is immutable")

    def __eq__(self, other: object) -> bool:
        return self.nanos == other.nanos if isinstance(other, Quantity) else NotImplemented

    def __lt__(self, other: object) -> bool:
        return self.nanos < other.nanos if isinstance(other, Quantity) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.nanos)

    def __reduce__(self) -> tuple:
        return (Quantity, (self.nanos, self.suffix, self.text))

    def __repr__(self) -> str:
        return f"Quantity(nanos={self.nanos!r}, suffix={self.suffix!r}, text={self.text!r})"

    def __str__(self) -> str:
        return self.text


def parse_quantity(text: str) -> Quantity:
    """Parse ``text`` as Kubernetes' ParseQuantity does, raising QuantityError if invalid."""
    if not isinstance(text, str):
        name = type(text).__name__
        raise QuantityError(
            f"{show(text)} is not a Kubernetes quantity: expected a string, got {name}"
        )
    return _parse(text)


@lru_cache(maxsize=4096)
def _parse(text: str) -> Quantity:
    number = _NUMBER.match(text).group()
    suffix = text[len(number) :]
    problem = _problem(text, number, suffix)
    if problem:
        quoted = show(text, MAX_QUOTED)
        raise QuantityError(f"{quoted} is not a Kubernetes quantity: {problem}")
    whole, _, frac = number.lstrip("+-").partition(".")
    numerator, denominator = int(whole + frac) * _NANO, 10 ** len(frac)
    if suffix in _BINARY:
        numerator <<= _BINARY[suffix]
    else:
        exponent = _DECIMAL[suffix] if suffix in _DECIMAL else int(suffix[1:])
        if exponent >= 0:
            numerator *= 10**exponent
        else:
            denominator *= 10**-exponent
    nanos = -(-numerator // denominator)  # rounded up, away from zero (the sign comes last)
    if suffix in _BINARY:
        nanos = min(nanos, _MAX_BINARY * _NANO)
    return Quantity(-nanos if number.startswith("-") else nanos, suffix, text)


def is_milli_memory(q: Quantity) -> bool:
    """True for an ``m``, ``u`` or ``n`` suffix: fractions of a byte, a typo for Mi or M."""
    return q.suffix in ("m", "u", "n")


def _problem(text: str, number: str, suffix: str) -> str | None:
    """Say in plain words why ``text`` is not a quantity, or return None if it is one."""
    if not text:
        return "empty string"
    if any(c.isspace() for c in text):
        return "contains whitespace"
    if text.count(".") > 1:
        return "more than one decimal point"
    if _MISPLACED_SIGN.search(text):
        return 'misplaced sign: a sign may only start the number or follow the exponent "e"'
    digits = number.lstrip("+-").replace(".", "")
    if not digits:
        return "does not start with a number"
    if len(digits) > _LIMIT:
        return f"more than {_LIMIT} digits, which nimlint does not evaluate"
    if suffix in _DECIMAL or suffix in _BINARY:
        return None
    if suffix[0] in "eE":
        return _exponent_problem(suffix)
    return _unknown_suffix(suffix)


def _exponent_problem(suffix: str) -> str | None:
    """Check an ``e``/``E`` suffix: the rest must be an integer within +-_LIMIT."""
    exponent = suffix[1:]
    if re.fullmatch(_EXPONENT, exponent):
        if len(exponent.lstrip("+-0")) > len(str(_LIMIT)) or abs(int(exponent)) > _LIMIT:
            return f"exponent {exponent} is beyond +-{_LIMIT}, which nimlint does not evaluate"
        return None
    if exponent in ("", "+", "-"):
        return f'the exponent after "{suffix[0]}" has no digits'
    if re.fullmatch(_FRACTIONAL_EXPONENT, exponent):
        return "the exponent must be a whole number"
    return _unknown_suffix(suffix)


def _unknown_suffix(suffix: str) -> str:
    """Name an unknown suffix, suggesting the valid one it most likely meant."""
    stem = suffix[:-1] if len(suffix) > 1 and suffix[-1] in "bB" else suffix
    hint = next((h for h in _HINTS if h.lower() == stem.lower()), None)
    quoted = show(suffix)
    return f"unknown suffix {quoted}" + (f' (did you mean "{hint}"?)' if hint else "")
