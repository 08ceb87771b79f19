"""The library of named check functions that declarative rules are built from.

Each function takes (node, options, pointer, ctx) — the matched value, the rule's
options, the node's JSON pointer and the document context — and yields Problems.
Field names in options are paths relative to the node (``handler/httpGet/port``), or
absolute JSON pointers when they start with ``/``. A field is *present* when its key
exists with a non-null value.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any

from nimlint.engine.context import MISSING, Context, below, present
from nimlint.findings import Problem
from nimlint.k8s.quantity import QuantityError, parse_quantity
from nimlint.loading.model import escape_token
from nimlint.messages import clip, field_name, show, show_list

Function = Callable[[Any, dict, str, Context], Iterator[Problem]]
FUNCTIONS: dict[str, Function] = {}

_OPERATORS = {
    ">=": (operator.ge, "at least"),
    ">": (operator.gt, "greater than"),
    "<=": (operator.le, "at most"),
    "<": (operator.lt, "less than"),
    "==": (operator.eq, "equal to"),
    "!=": (operator.ne, "different from"),
}


def _function(name: str) -> Callable[[Function], Function]:
    def register(fn: Function) -> Function:
        FUNCTIONS[name] = fn
        return fn

    return register


def resolve(node: Any, pointer: str, path: str, ctx: Context) -> tuple[str, Any]:
    """(pointer, value) of field ``path`` relative to ``node`` (or absolute)."""
    if path.startswith("/"):
        return path, ctx.get(path)
    return f"{pointer}/{path}", below(node, path)


def _when(options: dict) -> str:
    return f" when {options['when-text']}" if options.get("when-text") else ""


def first_missing(node: Any, pointer: str, path: str) -> tuple[str, str] | None:
    """Where relative ``path`` (``a/b``) stops below ``node``: (pointer of the deepest
    mapping that exists, the dotted rest of the path), or None when it is complete or runs
    into a value of another type (the schema reports that)."""
    parts = path.split("/")
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
        if node is None:  # absent or null: not present
            return pointer, ".".join(parts[index:])
        if index < last:
            pointer = f"{pointer}/{escape_token(part)}"
    return None


def missing_problem(node: Any, pointer: str, path: str, why: str) -> Iterator[Problem]:
    """A "needs" finding on the deepest existing mapping of ``path``, if it is incomplete."""
    gap = first_missing(node, pointer, path)
    if gap is not None:
        yield _needs(gap, why)


def _needs(gap: tuple[str, str], why: str) -> Problem:
    where, rest = gap
    return Problem(where, f"{field_name(where)} needs {rest}{why}", "key")


@_function("required")
def required(node: Any, options: dict, pointer: str, ctx: Context) -> Iterator[Problem]:
    """Every field in ``fields`` must be present; a nested path is reported on its deepest
    existing mapping."""
    for path in options["fields"]:
        if path.startswith("/"):
            if not present(ctx.get(path)):
                where = field_name(pointer)
                yield Problem(pointer, f"{where} needs {field_name(path)}{_when(options)}", "key")
        elif (gap := first_missing(node, pointer, path)) is not None:  # per list entry: no
            yield _needs(gap, _when(options))  # generator per field, "when" text only if used


@_function("forbidden")
def forbidden(node: Any, options: dict, pointer: str, ctx: Context) -> Iterator[Problem]:
    """No field in ``fields`` may be present."""
    for path in options["fields"]:
        field_pointer, value = resolve(node, pointer, path, ctx)
        if present(value):
            message = f"{field_name(field_pointer)} is not allowed{_when(options)}"
            yield Problem(field_pointer, message, "key")


@_function("mutually-exclusive")
def mutually_exclusive(node: Any, options: dict, pointer: str, ctx: Context) -> Iterator[Problem]:
    """At most one field in ``fields`` may be present."""
    found = [
        field_pointer
        for path in options["fields"]
        for field_pointer, value in [resolve(node, pointer, path, ctx)]
        if present(value)
    ]
    for field_pointer in found[1:]:
        message = (
            f"{field_name(field_pointer)} cannot be combined with "
            f"{field_name(found[0])}{_when(options)}"
        )
        yield Problem(field_pointer, message, "key")


@_function("exactly-one-of")
def exactly_one_of(node: Any, options: dict, pointer: str, ctx: Context) -> Iterator[Problem]:
    """Exactly one field in ``fields`` must be present."""
    if not options.get("allow-none"):
        names = [f for f in options["fields"] if present(resolve(node, pointer, f, ctx)[1])]
        if not names:
            choices = clip(" or ".join(options["fields"]))
            yield Problem(pointer, f"{field_name(pointer)} needs one of {choices}", "key")
            return
    yield from mutually_exclusive(node, options, pointer, ctx)


@_function("compare")
def compare(node: Any, options: dict, pointer: str, ctx: Context) -> Iterator[Problem]:
    """``left`` op ``right``, as numbers or as Kubernetes quantities; skipped if either is unset."""
    left_pointer, left = resolve(node, pointer, options["left"], ctx)
    right_pointer, right = resolve(node, pointer, options["right"], ctx)
    if not (present(left) and present(right)):
        return
    try:
        left_value, right_value = _comparable(left, options), _comparable(right, options)
    except (QuantityError, TypeError):
        return  # malformed values are another rule's finding
    test, words = _OPERATORS[options["op"]]
    if not test(left_value, right_value):
        yield Problem(
            left_pointer,
            f"{field_name(left_pointer)} ({_text(left)}) must be {words} "
            f"{field_name(right_pointer)} ({_text(right)})",
        )


def _comparable(value: Any, options: dict) -> Any:
    if options.get("as") == "quantity":
        if not isinstance(value, str):
            raise TypeError  # quantities are strings in this API; the schema reports others
        return parse_quantity(value)  # ordered by exact value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError
    return value


def _text(value: Any) -> str:
    return clip(value, 60) if isinstance(value, str) else show(value)


@_function("one-of-values")
def one_of_values(node: Any, options: dict, pointer: str, ctx: Context) -> Iterator[Problem]:
    """Field ``field`` must be one of ``values``."""
    field_pointer, value = resolve(node, pointer, options["field"], ctx)
    if present(value) and not any(same(value, v) for v in options["values"]):
        allowed = show_list(options["values"], shown=_text)
        yield Problem(
            field_pointer,
            f"{field_name(field_pointer)} must be one of {allowed}; got {show(value)}",
        )


@_function("pattern")
def pattern(node: Any, options: dict, pointer: str, ctx: Context) -> Iterator[Problem]:
    """Field ``field`` (a string) must match ``regex`` (or must not, with ``negate``)."""
    field_pointer, value = resolve(node, pointer, options["field"], ctx)
    if not isinstance(value, str):
        return
    matched = options["fullmatch"](value) is not None
    if matched == bool(options.get("negate")):
        words = clip(options.get("describe", f"match {options['regex']}"))
        yield Problem(field_pointer, f"{field_name(field_pointer)} {show(value)} must {words}")


@_function("range")
def value_range(node: Any, options: dict, pointer: str, ctx: Context) -> Iterator[Problem]:
    """Field ``field`` (a number) within ``minimum``/``maximum`` (``exclusive-minimum``...)."""
    field_pointer, value = resolve(node, pointer, options["field"], ctx)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    bounds = (
        ("minimum", operator.ge, ">="),
        ("exclusive-minimum", operator.gt, ">"),
        ("maximum", operator.le, "<="),
        ("exclusive-maximum", operator.lt, "<"),
    )
    for key, test, symbol in bounds:
        if key in options and not test(value, options[key]):
            yield Problem(
                field_pointer,
                f"{field_name(field_pointer)} must be {symbol} {options[key]}; got {show(value)}",
            )


@_function("unique-by")
def unique_by(node: Any, options: dict, pointer: str, ctx: Context) -> Iterator[Problem]:
    """Items of the list ``node`` must be unique by field ``key`` (or by value)."""
    if not isinstance(node, list):
        return
    seen: dict[tuple[bool, Any], int] = {}
    key = options.get("key")
    for index, item in enumerate(node):
        value = below(item, key) if key else item
        if not present(value) or isinstance(value, (dict, list)):
            continue
        identity = (isinstance(value, bool), value)
        if identity in seen:
            what = clip(options.get("describe", key or "entry"))
            first = f"{field_name(pointer)}[{seen[identity]}]"
            yield Problem(
                f"{pointer}/{index}/{key}" if key else f"{pointer}/{index}",
                f"duplicate {what} {show(value)} (first at {first})",
            )
        else:
            seen[identity] = index


def same(value: Any, expected: Any) -> bool:
    """JSON equality, at any depth: ``true`` is not ``1``, but ``1`` is ``1.0``."""
    if isinstance(value, dict) and isinstance(expected, dict):
        return value.keys() == expected.keys() and all(same(value[k], expected[k]) for k in value)
    if isinstance(value, list) and isinstance(expected, list):
        return len(value) == len(expected) and all(map(same, value, expected))
    if isinstance(value, (dict, list)) or isinstance(expected, (dict, list)):
        return False
    return value == expected and (isinstance(value, bool) == isinstance(expected, bool))


def condition_holds(node: Any, pointer: str, condition: dict, ctx: Context) -> bool:
    """One ``when`` clause: field + equals, not-equals, in, present, greater-than or less-than."""
    _, value = resolve(node, pointer, condition["field"], ctx)
    if "present" in condition:
        return present(value) == condition["present"]
    if "equals" in condition or "not-equals" in condition:
        effective = condition.get("default") if value is MISSING or value is None else value
        if "equals" in condition:
            return same(effective, condition["equals"])
        return not same(effective, condition["not-equals"])
    if "in" in condition:
        return any(same(value, option) for option in condition["in"])
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is None:
        return False
    if "greater-than" in condition:
        return number > condition["greater-than"]
    return number < condition["less-than"]


def condition_text(condition: dict) -> str:
    field = condition["field"].replace("/", ".")
    if "present" in condition:
        return f"{field} is {'set' if condition['present'] else 'not set'}"
    for key, words in (
        ("equals", "is"),
        ("not-equals", "is not"),
        ("in", "is one of"),
        ("greater-than", ">"),
        ("less-than", "<"),
    ):
        if key in condition:
            value = condition[key]
            shown = show_list(value, shown=_text) if key == "in" else _text(value)
            return f"{field} {words} {shown}"
    return field
