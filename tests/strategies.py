"""Hypothesis strategies shared by the property tests: schema-valid documents and mutations.

The generator follows the keywords the generated schemas use ($ref, allOf, type, enum,
pattern, min/maxLength, minimum/maximum, properties, required, items, maxItems) and fails
loudly on any other, so a schema that grows a new keyword cannot be half-covered silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from nimlint.loading.model import escape_token, unescape_token
from nimlint.messages import json_type

ROOT = Path(__file__).resolve().parents[1]
INT64 = (-(2**63), 2**63 - 1)  # the loader reports integers beyond 64 bits (P011)
MAX_TEXT = 12  # generated strings stay short unless minLength asks for more
MAX_ITEMS = 3
_IGNORED = {"description", "default", "deprecated", "title", "$schema", "$id", "$defs"}
_HANDLED = {"$ref", "allOf", "type", "enum", "pattern", "minLength", "maxLength", "minimum"}
_HANDLED |= {"maximum", "properties", "required", "items", "maxItems", "format"}


def _offset(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?"
# Values in each format nimlint checks (nimlint/schema/formats.py); others are any string.
FORMATS = {
    "hostname": st.from_regex(rf"{_LABEL}(\.{_LABEL}){{0,3}}", fullmatch=True),
    "uuid": st.uuids().map(str),
    "date-time": st.datetimes(timezones=st.integers(-1439, 1439).map(_offset)).map(
        lambda moment: moment.isoformat()
    ),
}


def load_schema(kind: str) -> dict:
    """The shipped JSON Schema of a document kind (create, update, response)."""
    path = ROOT / "schemas" / f"nim-service-{kind}.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


def resolve(root: dict, schema: dict) -> dict:
    """``schema`` with ``$ref`` and single-branch ``allOf`` replaced by their target."""
    while True:
        if "$ref" in schema:
            schema = root["$defs"][schema["$ref"].removeprefix("#/$defs/")]
        elif "allOf" in schema:
            assert len(schema["allOf"]) == 1 and schema.keys() == {"allOf"}, schema
            schema = schema["allOf"][0]
        else:
            return schema


def _types(schema: dict) -> list[str]:
    types = schema.get("type", ["null"])
    return types if isinstance(types, list) else [types]


def from_schema(root: dict, schema: dict | None = None, full: bool = False) -> st.SearchStrategy:
    """Values valid against ``schema`` (default: the whole ``root`` schema).

    ``full``: every property present, no null where another type is allowed, no empty list.
    """
    schema = resolve(root, root if schema is None else schema)
    unknown = schema.keys() - _IGNORED - _HANDLED
    assert not unknown, f"strategy does not handle {sorted(unknown)}"
    if "enum" in schema:
        return st.sampled_from([v for v in schema["enum"] if v is not None or not full])
    options = [_typed(root, schema, t, full) for t in _types(schema) if t != "null"]
    nullable = "null" in _types(schema) and not (full and options)
    return st.one_of(*options, *([st.none()] if nullable else []))


def _typed(root: dict, schema: dict, kind: str, full: bool) -> st.SearchStrategy:
    if kind == "string":
        return _strings(schema)
    if kind in ("integer", "number"):
        low = max(schema.get("minimum", INT64[0]), INT64[0])
        high = min(schema.get("maximum", INT64[1]), INT64[1])
        ints = st.integers(low, high)
        if kind == "integer":
            return ints
        bounds = (schema.get("minimum"), schema.get("maximum"))
        return ints | st.floats(*bounds, allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        items = from_schema(root, schema.get("items", {"type": "null"}), full)
        high = min(schema.get("maxItems", MAX_ITEMS), MAX_ITEMS)
        return st.lists(items, min_size=int(full), max_size=high)
    assert kind == "object", kind
    properties = schema.get("properties", {})
    required = set(properties if full else schema.get("required", ()))
    return st.fixed_dictionaries(
        {k: from_schema(root, v, full) for k, v in properties.items() if k in required},
        optional={k: from_schema(root, v) for k, v in properties.items() if k not in required},
    )


def _strings(schema: dict) -> st.SearchStrategy:
    low = schema.get("minLength", 0)
    high = schema.get("maxLength", max(low, MAX_TEXT))
    if schema.get("format") in FORMATS:
        return FORMATS[schema["format"]].filter(lambda s: low <= len(s) <= high)
    if "pattern" in schema:
        # fullmatch=True: hypothesis never adds the trailing newline Python's $ would allow.
        matching = st.from_regex(schema["pattern"], fullmatch=True)
        return matching.filter(lambda s: low <= len(s) <= high)
    return st.text(min_size=low, max_size=min(high, max(low, MAX_TEXT)))


def documents(kind: str = "create", full: bool | None = None) -> st.SearchStrategy:
    """Whole documents valid against the shipped schema of ``kind`` (``full``: see above).

    By default, a third sparse (mostly null and absent fields), a third sparse with every
    unset field an explicit null (as SDKs send them), and a third full.
    """
    if full is None:
        sdk = documents(kind, False).map(lambda data: with_nulls(load_schema(kind), data))
        return documents(kind, False) | sdk | documents(kind, True)
    return from_schema(load_schema(kind), full=full)


def with_nulls(root: dict, data: Any, chosen: Callable[[str], bool] = lambda _: True) -> Any:
    """A copy of ``data`` where each object also has its absent nullable properties, as
    ``null`` (``chosen(pointer)`` picks which; default all): how SDKs serialize unset fields.
    """
    data = json.loads(json.dumps(data))
    for site in sites(root, data):
        if not isinstance(site.value, dict):
            continue
        for key, sub in site.schema.get("properties", {}).items():
            pointer = f"{site.pointer}/{escape_token(key)}"
            nullable = "null" in _types(resolve(root, sub))
            if key not in site.value and nullable and chosen(pointer):
                site.value[key] = None
    return data


# --- where a document can be broken ------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A value present in a document, with its pointer and (resolved) schema."""

    pointer: str
    schema: dict
    value: Any


def sites(root: dict, data: Any) -> Iterator[Site]:
    """Every value of ``data`` with the schema that governs it (nodes the schema names)."""
    stack = [Site("", resolve(root, root), data)]
    while stack:
        site = stack.pop()
        yield site
        schema, value = site.schema, site.value
        if isinstance(value, dict):
            for key, child in value.items():
                sub = schema.get("properties", {}).get(key)
                if sub is not None:
                    stack.append(
                        Site(f"{site.pointer}/{escape_token(key)}", resolve(root, sub), child)
                    )
        elif isinstance(value, list) and "items" in schema:
            items = resolve(root, schema["items"])
            stack.extend(Site(f"{site.pointer}/{i}", items, v) for i, v in enumerate(value))


@dataclass(frozen=True)
class Mutation:
    """One change to a valid document and the finding it must produce."""

    pointer: str  # where the finding is reported
    rule: str
    apply: Callable[[Any], Any]  # returns the mutated copy of the document


def _edit(pointer: str, change: Callable[[Any, Any], Any]) -> Callable[[Any], Any]:
    """A function that copies a document and calls ``change(container, key)`` at ``pointer``."""

    def apply(data: Any) -> Any:
        data = json.loads(json.dumps(data))
        *parents, last = (unescape_token(t) for t in pointer.split("/")[1:])
        node = data
        for token in parents:
            node = node[int(token)] if isinstance(node, list) else node[token]
        change(node, int(last) if isinstance(node, list) else last)
        return data

    return apply


def _replace(pointer: str, new: Any) -> Callable[[Any], Any]:
    return _edit(pointer, lambda node, key: node.__setitem__(key, new))


def _wrong_type(schema: dict) -> Any:
    """A value whose JSON type is none of the schema's types (integer counts as number)."""
    allowed = set(_types(schema))
    if "number" in allowed:
        allowed.add("integer")
    return next(c for c in ("seven", 7, 1.5, True, [], {}) if json_type(c) not in allowed)


def mutations(site: Site) -> Iterator[Mutation]:
    """Every way to break ``site`` and the rule each break must trigger."""
    schema, value, pointer = site.schema, site.value, site.pointer
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            drop = _edit(f"{pointer}/{escape_token(key)}", lambda node, k: node.pop(k))
            yield Mutation(pointer, "S006", drop)
        if "properties" in schema:
            unknown = f"{pointer}/notInTheSchema"
            yield Mutation(unknown, "S008", _replace(unknown, "x"))
    if not pointer:
        return
    yield Mutation(pointer, "S001", _replace(pointer, _wrong_type(schema)))
    if "enum" in schema:
        yield Mutation(pointer, "S002", _replace(pointer, "NotAnAllowedValue"))
    if "pattern" in schema:
        yield Mutation(pointer, "S003", _replace(pointer, "-"))
    elif schema.get("format") in FORMATS:
        yield Mutation(pointer, "S010", _replace(pointer, "-"))
    if "minimum" in schema and schema["minimum"] > INT64[0]:
        yield Mutation(pointer, "S004", _replace(pointer, schema["minimum"] - 1))
    if "maximum" in schema and schema["maximum"] < INT64[1]:
        yield Mutation(pointer, "S004", _replace(pointer, schema["maximum"] + 1))
    # One problem, one finding: a string outside an enum is S002 whatever else it breaks.
    length_rule = "S002" if "enum" in schema else "S005"
    if schema.get("minLength", 0) > 0:
        yield Mutation(pointer, length_rule, _replace(pointer, ""))
    if "maxLength" in schema:
        yield Mutation(pointer, length_rule, _replace(pointer, "1" * (schema["maxLength"] + 1)))
    if "maxItems" in schema:
        yield Mutation(pointer, "S007", _replace(pointer, [None] * (schema["maxItems"] + 1)))


@st.composite
def mutated_documents(draw, kind: str = "create") -> tuple[Any, Mutation]:
    """A valid document of ``kind`` broken in one place: (broken document, mutation)."""
    root = load_schema(kind)
    valid = draw(documents(kind))
    choices = [m for site in sites(root, valid) for m in mutations(site)]
    mutation = draw(st.sampled_from(choices))
    return mutation.apply(valid), mutation


# --- YAML that nimlint reads back as the same data ---------------------------------------


class Yaml12Dumper(yaml.SafeDumper):
    """PyYAML's SafeDumper, also quoting what YAML 1.2 or go-yaml v2 would read otherwise.

    PyYAML decides what to quote by its own YAML 1.1 reading, where ``1e5`` and ``0o17``
    are strings (YAML 1.2, nimlint's reading, has them as numbers) and ``y`` and ``n`` are
    strings too (the 1.1 spec and go-yaml v2 have them as booleans: P008).
    """


Yaml12Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)
Yaml12Dumper.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile("^[yYnN]$"), list("yYnN"))
Yaml12Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:0o[0-7]+|0x[0-9a-fA-F]+)$"), list("0")
)


def to_yaml(data: Any, *, indent: int = 2, sort_keys: bool = False, unicode: bool = True) -> str:
    """Block-style YAML for ``data`` that nimlint reads back as ``data``."""
    return yaml.dump(
        data,
        Dumper=Yaml12Dumper,
        indent=indent,
        sort_keys=sort_keys,
        allow_unicode=unicode,
        default_flow_style=False,
        width=2**30,
    )


def text_lines(text: str) -> list[str]:
    """Lines as nimlint counts them: broken at \\n, \\r\\n and \\r only (not NEL, U+2028)."""
    return re.split(r"\r\n|\r|\n", text)


def render(value: Any, **options) -> str:
    """How ``value`` starts in ``to_yaml(..., **options)``: the first line of its own dump."""
    return text_lines(to_yaml(value, **options))[0]


yaml_options = st.fixed_dictionaries(
    {"indent": st.integers(2, 9), "sort_keys": st.booleans(), "unicode": st.booleans()}
)
