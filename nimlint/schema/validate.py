"""Schema validation (jsonschema-rs) turned into rule-tagged problems with readable messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nimlint.findings import Problem, Repair
from nimlint.loading.model import escape_token
from nimlint.messages import field_name, json_type, pattern_words, show, type_words
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
}
OTHER_RULE = "S009"


def schema_problems(schemas: SchemaSet, kind: str, data: Any) -> Iterator[tuple[str, Problem]]:
    """Every schema violation of ``data`` as a document of ``kind``."""
    # The loader's depth limit (100) keeps documents under jsonschema-rs's (255).
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
        else:
            limit, value = error.kind.value, error.instance
            message = _message(keyword, limit, value, pointer)
            yield rule, Problem(pointer, message, repair=_repair(keyword, limit, value, pointer))


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
        return f"{name} must be {type_words(types)}, not {got}"
    if keyword == "enum":
        allowed = ", ".join(show(v) for v in limit if v is not None)
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
        return f"{name} must be {relation} {limit}; got {show(value)}"
    if keyword in ("minLength", "maxLength"):
        bound = "at least" if keyword == "minLength" else "at most"
        return f"{name} must be {bound} {limit} characters long; got {len(value)}"
    if keyword in ("minItems", "maxItems"):
        bound = "at least" if keyword == "minItems" else "at most"
        return f"{name} must have {bound} {limit} items; got {len(value)}"
    return f"{name} fails the schema's {keyword!r} constraint"


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
