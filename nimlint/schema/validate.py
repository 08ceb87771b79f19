"""Schema validation (jsonschema-rs) turned into rule-tagged problems with readable messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from nimlint.findings import Problem, Repair
from nimlint.loading.model import Document, escape_token, value_at
from nimlint.messages import field_name, json_type, pattern_words, show, show_list, type_words
from nimlint.schema.formats import WORDS as FORMAT_WORDS
from nimlint.schema.schemaset import SchemaSet

# JSON Schema keyword -> rule id (one rule per kind of failure).
KEYWORD_RULES = {
    "type": "S001",
    "enum": "S002",
    "const": "S002",
    "pattern": "S003",
    "minimum": "S004",
    "maximum": "S004",
    "exclusiveMinimum": "S004",
    "exclusiveMaximum": "S004",
    "multipleOf": "S004",
    "minLength": "S005",
    "maxLength": "S005",
    "required": "S006",
    "minItems": "S007",
    "maxItems": "S007",
    "uniqueItems": "S007",
    "format": "S010",
}
OTHER_RULE = "S009"


# When one value breaks several keywords, only the most specific is reported (one problem,
# one finding): an empty storageClass is "must not be empty" (S005), not also a pattern
# mismatch (S003). Rules earlier here win; missing properties (S006) are never merged.
SPECIFICITY = ("S001", "S002", "S005", "S003", "S004", "S007", "S010", OTHER_RULE)


def schema_problems(schemas: SchemaSet, kind: str, data: Any) -> Iterator[tuple[str, Problem]]:
    """Every schema violation of ``data`` as a document of ``kind``, one per value."""
    # The loader's depth limit (100) keeps documents under jsonschema-rs's (255).
    per_value: dict[str, tuple[str, Problem]] = {}
    for error in schemas.validator(kind).iter_errors(data):
        keyword = error.kind.name
        pointer = "".join("/" + escape_token(str(token)) for token in error.instance_path)
        rule = KEYWORD_RULES.get(keyword, OTHER_RULE)
        if keyword == "required":
            missing = error.kind.property
            yield (
                rule,
                Problem(
                    pointer,
                    f"{field_name(pointer)} is missing required property {missing!r}",
                    "key",
                ),
            )
            continue
        kept = per_value.get(pointer)
        if kept is None or SPECIFICITY.index(rule) < SPECIFICITY.index(kept[0]):
            limit, value = error.kind.value, error.instance
            message = _message(keyword, limit, value, pointer)
            repair = _repair(keyword, limit, value, pointer)
            per_value[pointer] = rule, Problem(pointer, message, repair=repair)
    yield from per_value.values()


def _repair(keyword: str, limit: Any, value: Any, pointer: str) -> Repair | None:
    """Safe repairs: quote a number or boolean where a string is wanted; correct the case
    of an enum value that matches exactly one member case-insensitively."""
    types = limit if isinstance(limit, list) else [limit]
    if keyword == "type" and isinstance(value, (bool, int, float)) and "string" in types:
        return Repair("quote", pointer, f"quote {show(value)} as a string")
    if keyword == "enum" and isinstance(value, str):
        members = [m for m in limit if isinstance(m, str) and m.lower() == value.lower()]
        if len(members) == 1:
            return Repair("replace", pointer, f"write {show(members[0])}", members[0])
    return None


def _message(keyword: str, limit: Any, value: Any, pointer: str) -> str:
    name = field_name(pointer)
    if keyword == "type":
        types = limit if isinstance(limit, list) else [limit]
        got = "null" if value is None else f"{json_type(value)} {show(value)}"
        return f"{name} must be {type_words(types)}, not {got}{_type_hint(types, value)}"
    if keyword == "enum":
        allowed = show_list([v for v in limit if v is not None])
        return f"{name} must be one of {allowed}; got {show(value)}{_suggest(value, limit)}"
    if keyword == "const":
        return f"{name} must be {show(limit)}; got {show(value)}"
    if keyword == "pattern":
        return f"{name} {show(value)} must be {pattern_words(limit)}"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        relation = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "greater than",
            "exclusiveMaximum": "less than",
            "multipleOf": "a multiple of",
        }[keyword]
        return f"{name} must be {relation} {show(limit)}; got {show(value)}"
    if keyword == "minLength" and value == "":
        return f"{name} must not be empty (at least {limit} character{'s' * (limit != 1)})"
    if keyword in ("minLength", "maxLength"):
        bound = "at least" if keyword == "minLength" else "at most"
        return f"{name} must be {bound} {limit} characters long; got {len(value)}"
    if keyword == "format":
        words = FORMAT_WORDS.get(limit)
        if words is None:
            return f"{name} {show(value)} is not in the format {show(limit)}"
        return f"{name} {show(value)} is not {words}"
    if keyword in ("minItems", "maxItems"):
        bound = "at least" if keyword == "minItems" else "at most"
        return f"{name} must have {bound} {limit} items; got {len(value)}"
    return f"{name} fails the schema's {keyword!r} constraint"


# YAML 1.1 booleans: YAML 1.2 (and nimlint, and the JSON the API receives) reads them as strings.
_YAML11_BOOLEANS = {
    word: reading
    for words, reading in (("yes y on", True), ("no n off", False))
    for base in words.split()
    for word in (base, base.capitalize(), base.upper())
}


def _type_hint(types: list, value: Any) -> str:
    """How to write the value the field wants, when the mistake is a common one."""
    if "string" in types and isinstance(value, (bool, int, float)):
        return _quote_it(show(value))
    if "boolean" in types and isinstance(value, str) and value in _YAML11_BOOLEANS:
        meant = "true" if _YAML11_BOOLEANS[value] else "false"
        return f" ({value} is a string in YAML 1.2, not a boolean); write {meant}"
    return ""


def _quote_it(text: str) -> str:
    return f"; quote it: {json.dumps(text, ensure_ascii=False)}"


def as_written(
    document: Document, found: Iterable[tuple[str, Problem]]
) -> Iterator[tuple[str, Problem]]:
    """``found``, with S001's "quote it" quoting a number as the document writes it (``0755``,
    not ``755``), as its fix does."""
    for rule, problem in found:
        text = document.written.get(problem.pointer) if rule == "S001" else None
        if text is not None:
            shown = _quote_it(show(value_at(document.data, problem.pointer)))
            if problem.message.endswith(shown):
                message = problem.message[: -len(shown)] + _quote_it(text)
                problem = problem._replace(message=message)
        yield rule, problem


def _suggest(value: Any, options: list) -> str:
    if not isinstance(value, str):
        return ""
    strings = [o for o in options if isinstance(o, str)]
    folded = {o.lower(): o for o in strings}
    import difflib  # only when there is something to suggest

    match = folded.get(value.lower()) or next(
        iter(difflib.get_close_matches(value, strings, n=1, cutoff=0.75)), None
    )
    return f" (did you mean {show(match)}?)" if match else ""
