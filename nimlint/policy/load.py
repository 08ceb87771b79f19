"""Read policy files: three document shapes, validated against the shipped policy schema.

Every problem of a file is collected, each as ``file:line: key: reason`` (the loader's
positions), and raised together as one PolicyError.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from nimlint.escaping import printable
from nimlint.files import read_regular
from nimlint.loading.model import Document, ParseFailure, escape_token, unescape_token
from nimlint.messages import json_type, show, type_words
from nimlint.policy.decisions import DEFAULT_FROM_SAME_KIND, RESET_IS_REFUSED, SCOPE_WITHOUT_META
from nimlint.policy.schema import SCHEMA_FILENAME

_REF = "#/$defs/"

MAX_POLICY_BYTES = 4 * 1024 * 1024


class PolicyError(ValueError):
    """A policy file that cannot be used; ``lines`` holds one ``file:line: key: reason`` each."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class Policy(NamedTuple):
    """One policy: where it came from, its scope, and ``{defaults, rules}`` with positions."""

    file: str
    name: str
    scope: str
    body: dict
    base: str  # JSON pointer of the body in the document ("/policy", "/effective" or "")
    document: Document

    def line(self, pointer: str) -> int:
        """The line of ``pointer`` (relative to the body) in the policy file."""
        return self.document.span(self.base + pointer, "key").line

    def where(self, pointer: str) -> str:
        """``file:line`` of ``pointer`` (relative to the body)."""
        return f"{self.file}:{self.line(pointer)}"

    @property
    def defaults(self) -> dict:
        return self.body.get("defaults") or {}

    @property
    def rules(self) -> dict:
        return self.body.get("rules") or {}


def load_policy(path: Path | str) -> Policy:
    """Read, validate and return one policy file; raise PolicyError with every problem."""
    from nimlint.loading.source import decode, documents

    name = printable(
        os.path.normpath(path)
    )  # as shown: `team/../policies/p.yaml` is policies/p.yaml
    try:
        raw = read_regular(path, MAX_POLICY_BYTES, confined=True)
    except OSError as exc:
        raise PolicyError([f"{name}: cannot read policy: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyError([f"{name}: policy file is over the {MAX_POLICY_BYTES:,}-byte limit"])
    text = decode(raw)
    if isinstance(text, ParseFailure):
        raise PolicyError([f"{name}:{text.span.line}: {text.message}"])
    items = list(documents(text, is_json=str(path).endswith(".json")))
    failures = [i for i in items if isinstance(i, ParseFailure)]
    if failures:
        raise PolicyError([f"{name}:{f.span.line}: {f.message}" for f in failures])
    if len(items) != 1 or not isinstance(items[0].data, dict):
        raise PolicyError([f"{name}:1: a policy file holds one mapping (a policy document)"])
    doc = items[0]
    problems = [
        f"{name}:{doc.span(p.pointer, p.at).line}: {_key(p.pointer)}: {p.message}"
        for _, p in doc.problems
    ]
    # every problem in one run, by line: schema errors and what the schema cannot say
    invalid = sorted({*_invalid(doc), *_contradictions(doc), *_reset(doc)})
    problems += [f"{name}:{line}: {key}: {reason}" for line, key, reason in invalid]
    if problems:
        raise PolicyError(problems)
    return _policy(name, doc)


def _policy(name: str, doc: Document) -> Policy:
    data = doc.data
    base = "/effective" if "effective" in data else ("/policy" if "policy" in data else "")
    body = data.get(base[1:]) if base else data
    body = body if isinstance(body, dict) else {}
    meta = data.get("meta") if base else None
    meta = meta if isinstance(meta, dict) else {}
    return Policy(
        file=name,
        name=str(meta.get("name") or name),
        scope=str(meta.get("scope") or SCOPE_WITHOUT_META),
        body=body,
        base=base,
        document=doc,
    )


def shape_of(data: dict) -> str:
    """The $defs name of a policy document's shape."""
    if "effective" in data:
        return "PolicyResponse"
    return "PolicyBody" if "policy" in data or "meta" in data else "Policy"


@cache
def policy_schema() -> dict:
    from nimlint.resources import schema_path

    with open(schema_path(SCHEMA_FILENAME), encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _validator(shape: str):
    import jsonschema_rs

    schema = {k: v for k, v in policy_schema().items() if k != "anyOf"}
    return jsonschema_rs.Draft202012Validator({**schema, "$ref": f"#/$defs/{shape}"}, offline=True)


@cache
def rule_types() -> dict[str, str]:
    """Dotted field path -> rule type name, read from the shipped policy schema."""
    schema = policy_schema()["$defs"]["Policy"]["properties"]["rules"]
    return dict(_leaves(schema, ""))


_NUMBERS = ("IntegerRules", "IntegerRulesOptional", "NumberRules")


def default_source(path: str, field: Any) -> tuple[str | None, str]:
    """The field a ``defaultFrom`` of the rule at ``path`` reads (dotted), and why none: the
    source belongs to the same section, named bare (``cpuCoreRequest``) or with its section
    (``compute.cpuCoreRequest``, as the Run:ai docs write it), and holds the same kind of value."""
    section = path.rpartition(".")[0]
    name = field if isinstance(field, str) else ""
    dotted = f"{section}.{name}" if section else name
    source = name if section and name.startswith(section + ".") else dotted
    types = rule_types()
    if source.rpartition(".")[0] != section or source not in types:
        spelled = f" (write FIELD or {section}.FIELD)" if section else ""
        return None, f"{show(field)} names no field of {section or 'the spec'}{spelled}"
    if source == path:
        return None, f"{show(field)} is the field itself"
    have, need = _value_kind(types[source]), _value_kind(types[path])
    if DEFAULT_FROM_SAME_KIND and have != need:
        return None, f"{show(field)} is {have}; {path} needs {need}"
    return source, ""


def _value_kind(rule_type: str) -> str:
    if rule_type == "QuantityRules":
        return "a quantity"
    return "a number" if rule_type in _NUMBERS else "not a number"


def _leaves(node: dict, prefix: str) -> Iterator[tuple[str, str]]:
    for name, sub in node.get("properties", {}).items():
        if "$ref" in sub:
            yield f"{prefix}{name}", sub["$ref"][len(_REF) :]
        else:
            yield from _leaves(sub, f"{prefix}{name}.")


def _invalid(doc: Document) -> list[tuple[int, str, str]]:
    """(line, dotted key, reason) for every schema error, sorted by line."""
    out = []
    for error in _validator(shape_of(doc.data)).iter_errors(doc.data):
        pointer = "".join("/" + escape_token(str(t)) for t in error.instance_path)
        if error.kind.name == "additionalProperties":
            allowed = ", ".join(
                sorted(_schema_at(list(error.schema_path)[:-1]).get("properties", {}))
            )
            for key in error.kind.unexpected:
                child = f"{pointer}/{escape_token(key)}"
                reason = f"unknown key (allowed here: {allowed})"
                out.append((doc.span(child, "key").line, _key(child), reason))
            continue
        out.append((doc.span(pointer).line, _key(pointer), _reason(error)))
    return sorted(out)


def _contradictions(doc: Document) -> Iterator[tuple[int, str, str]]:
    """What the schema cannot say: quantities Kubernetes refuses, min above max, step <= 0."""
    from nimlint.k8s.quantity import QuantityError, parse_quantity

    policy = _policy("", doc)
    for path, kind in rule_types().items():
        node = policy.rules
        for token in path.split("."):
            node = node.get(token) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        pointer = policy.base + "/rules/" + path.replace(".", "/")
        bounds = {}
        for key in ("min", "max"):
            value = node.get(key)
            if kind == "QuantityRules" and isinstance(value, str):
                try:
                    value = parse_quantity(value).value
                except QuantityError as exc:
                    yield doc.span(f"{pointer}/{key}").line, _key(f"{pointer}/{key}"), str(exc)
                    continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                bounds[key] = value
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            reason = f"min {show(node['min'])} is above max {show(node['max'])}: nothing complies"
            yield doc.span(f"{pointer}/min").line, _key(pointer), reason
        step = node.get("step")
        if isinstance(step, (int, float)) and not isinstance(step, bool) and step <= 0:
            yield doc.span(f"{pointer}/step").line, _key(f"{pointer}/step"), "must be above 0"
        source = node.get("defaultFrom")
        if isinstance(source, dict) and isinstance(source.get("field"), str):
            found, reason = default_source(path, source["field"])
            if found is None:
                at = f"{pointer}/defaultFrom/field"
                yield doc.span(at).line, _key(at), reason


def _reset(doc: Document) -> Iterator[tuple[int, str, str]]:
    """A PATCH body's non-empty ``reset``: it clears fields of a stored policy nimlint cannot
    see, so the body alone is not the policy that applies (``decisions.RESET_IS_REFUSED``)."""
    if RESET_IS_REFUSED and "policy" in doc.data and doc.data.get("reset"):
        reason = (
            "a PATCH body clears fields of the policy stored on the server, which nimlint "
            "cannot see; give the whole policy (a PUT body, or the GET response)"
        )
        yield doc.span("/reset", "key").line, "reset", reason


def _schema_at(path: list) -> dict:
    node: Any = policy_schema()
    for token in path:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node if isinstance(node, dict) else {}


def _reason(error) -> str:
    kind = error.kind.name
    if kind == "type":
        types = error.kind.types if isinstance(error.kind.types, list) else [error.kind.types]
        value = error.instance
        return f"must be {type_words(list(types))}, not {json_type(value)} {show(value)}"
    if kind == "required":
        return f"missing required key {error.kind.property!r}"
    if kind == "enum":
        allowed = ", ".join(show(o) for o in error.kind.options if o is not None)
        return f"must be one of {allowed}; got {show(error.instance)}"
    return error.message


def _key(pointer: str) -> str:
    """``/policy/rules/replicas/max`` -> ``policy.rules.replicas.max``."""
    tokens = [unescape_token(t) for t in pointer.split("/")[1:]]
    return printable(".".join(tokens)) or "(document)"
