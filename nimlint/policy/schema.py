"""Build the JSON Schema of a Run:ai 2.24 NIM-service policy from the seed's NimServiceSpec.

Defaults take the spec's own field schemas (itemized lists wrapped in ``{instances}``, and
``{attributes, instances}`` for tolerations and image pull secrets); rules take one rule
type per field, chosen from the field's type in the seed (a string with the quantity
pattern is a quantity). Both reject unknown keys, as the server does.
"""

from __future__ import annotations

from typing import Any

from nimlint.schema.generate import DIALECT, convert

SCHEMA_FILENAME = "nim-service-policy.schema.json"
SPEC = "NimServiceSpec"
QUANTITY_PATTERN = "^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_REF = "#/components/schemas/"

# Fields with no rule schema in 2.24 (runapy's nim_service_policy_* models).
NO_RULES = {
    "modelStore.pvc.existingPvc",
    "modelStore.pvc.claimInfo.volumeMode",
    "modelStore.pvc.claimInfo.addedAttrValues",
}
# Integer rules without `required` (IntegerRulesOptional).
OPTIONAL_INTEGERS = {"security.runAsUid", "security.runAsGid"}
# Fields whose rule type the seed's type would get wrong: runapy's ClaimInfoRules gives
# `size` StringRules, although the seed gives it the quantity pattern.
STRING_RULES = {"modelStore.pvc.claimInfo.size"}
# Itemized fields whose defaults also take `attributes` (runapy TolerationsDefaults: a whole
# Toleration, `name` included; ImagePullSecretsDefaults has `instances` only).
DEFAULT_ATTRIBUTES = {"tolerations"}
# Itemized fields whose rules also take `attributes`, with their rule types
# (runapy spells the image pull secret attribute `userCredentials`, plural).
ATTRIBUTES = {
    "imagePullSecrets": {"name": "StringRules", "userCredentials": "BooleanRules"},
    "tolerations": {
        "operator": "StringRules",
        "key": "StringRules",
        "value": "StringRules",
        "effect": "StringRules",
        "seconds": "IntegerRules",
        "exclude": "BooleanRules",
    },
}

_BOOL = {"type": ["boolean", "null"]}
_SOURCE = {
    "type": ["object", "null"],
    "description": "Where an effective rule comes from (filled by the server).",
    "properties": {
        "scope": {"type": ["string", "null"]},
        "projectId": {"type": ["integer", "null"]},
        "departmentId": {"type": ["string", "null"]},
        "clusterId": {"type": ["string", "null"]},
        "isFallback": _BOOL,
    },
    "additionalProperties": False,
}
_OPTIONS = {
    "type": ["array", "null"],
    "items": {
        "type": "object",
        "required": ["value"],
        "properties": {"value": {}, "displayed": {"type": ["string", "null"]}},
        "additionalProperties": False,
    },
}
_DEFAULT_FROM = {
    "type": ["object", "null"],
    "required": ["field"],
    "properties": {"field": {"type": "string"}, "factor": {"type": ["number", "null"]}},
    "additionalProperties": False,
}


def _rules(**properties: Any) -> dict:
    return {
        "type": ["object", "null"],
        "properties": {**properties, "sourceOfRule": {"$ref": "#/$defs/SourceOfRule"}},
        "additionalProperties": False,
    }


def _bounds(kind: str) -> dict:
    bound = {"type": [kind, "null"]}
    return {
        "min": bound,
        "max": bound,
        "step": bound,
        "defaultFrom": {"$ref": "#/$defs/DefaultFrom"},
    }


RULE_TYPES: dict[str, dict] = {
    "StringRules": _rules(required=_BOOL, canEdit=_BOOL, options=_OPTIONS),
    "BooleanRules": _rules(required=_BOOL, canEdit=_BOOL),
    "IntegerRules": _rules(required=_BOOL, canEdit=_BOOL, **_bounds("integer")),
    "IntegerRulesOptional": _rules(canEdit=_BOOL, **_bounds("integer")),
    "NumberRules": _rules(required=_BOOL, canEdit=_BOOL, **_bounds("number")),
    "QuantityRules": _rules(
        required=_BOOL,
        canEdit=_BOOL,
        min={"type": ["string", "null"], "pattern": QUANTITY_PATTERN},
        max={"type": ["string", "null"], "pattern": QUANTITY_PATTERN},
        defaultFrom={"$ref": "#/$defs/DefaultFrom"},
    ),
    "ArrayRules": _rules(required=_BOOL, canEdit=_BOOL, options=_OPTIONS),
    "InstancesRules": _rules(
        canAdd=_BOOL, locked={"type": ["array", "null"], "items": {"type": "string"}}
    ),
}


def generate(openapi: dict) -> dict:
    """The policy JSON Schema: PUT/PATCH bodies, GET responses and bare {defaults, rules}."""
    components = openapi["components"]["schemas"]
    spec = _resolve(components[SPEC], components)
    defaults, rules = _walk(spec, components, "")
    meta = {
        "type": "object",
        "required": ["name", "scope"],
        "properties": {
            "scope": {"enum": ["system", "tenant", "cluster", "department", "project"]},
            "name": {"type": "string", "minLength": 1},
            "projectId": {"type": ["integer", "null"]},
            "departmentId": {"type": ["string", "null"]},
            "clusterId": {"type": ["string", "null"]},
        },
        "additionalProperties": False,
    }
    policy = {
        "type": "object",
        "properties": {
            "defaults": defaults,
            "rules": rules,
            "status": {"description": "Filled by the server in GET responses."},
        },
        "additionalProperties": False,
    }
    body = {
        "type": "object",
        "required": ["policy"],
        "properties": {
            "meta": {"$ref": "#/$defs/Meta"},
            "policy": {"$ref": "#/$defs/Policy"},
            "reset": {"type": ["array", "null"], "items": {"type": "string"}},
        },
        "additionalProperties": False,
    }
    response = {
        "type": "object",
        "required": ["effective"],
        "properties": {
            "meta": {"type": "object", "description": "Server-filled metadata (not checked)."},
            "policy": {"$ref": "#/$defs/Policy"},
            "effective": {"$ref": "#/$defs/Policy"},
            "effectiveUpdatedAt": {},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": DIALECT,
        "$id": f"https://nimlint.dev/schemas/{SCHEMA_FILENAME}",
        "title": "Run:ai 2.24 NIM service policy (/api/v2/policy/nim-services)",
        "anyOf": [
            {"$ref": "#/$defs/PolicyBody"},
            {"$ref": "#/$defs/PolicyResponse"},
            {"$ref": "#/$defs/Policy"},
        ],
        "$defs": {
            "PolicyBody": body,
            "PolicyResponse": response,
            "Policy": policy,
            "Meta": meta,
            "SourceOfRule": _SOURCE,
            "DefaultFrom": _DEFAULT_FROM,
            **RULE_TYPES,
        },
    }


def _resolve(node: dict, components: dict) -> dict:
    """Follow $ref and single-entry allOf wrappers to the schema that says what a field is."""
    while True:
        if "$ref" in node:
            node = components[node["$ref"][len(_REF) :]]
        elif len(node.get("allOf", ())) == 1:
            node = {**node["allOf"][0], **{k: v for k, v in node.items() if k != "allOf"}}
        else:
            return node


def _inline(node: Any, components: dict) -> Any:
    """``node`` with every $ref inlined, converted to JSON Schema, unknown keys refused."""
    if isinstance(node, list):
        return [_inline(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    node = _resolve(node, components)
    out = convert({k: v for k, v in node.items() if k not in ("properties", "items", "allOf")})
    if "properties" in node:
        out["properties"] = {k: _inline(v, components) for k, v in node["properties"].items()}
        out["additionalProperties"] = False
    if "items" in node:
        out["items"] = _inline(node["items"], components)
    if "allOf" in node:
        out["allOf"] = _inline(node["allOf"], components)
    return out


def _walk(spec: dict, components: dict, prefix: str) -> tuple[dict, dict]:
    """(defaults schema, rules schema) of an object schema whose fields start at ``prefix``."""
    defaults: dict[str, Any] = {}
    rules: dict[str, Any] = {}
    for name, raw in spec["properties"].items():
        path = f"{prefix}{name}"
        node = _resolve(raw, components)
        kind = node.get("type")
        items = _resolve(node["items"], components) if kind == "array" else {}
        if path in NO_RULES:
            defaults[name] = _inline(node, components)
        elif kind == "object" or "properties" in node:
            defaults[name], rules[name] = _walk(node, components, f"{path}.")
        elif kind == "array" and "properties" in items:
            defaults[name], rules[name] = _itemized(name, items, components)
        else:
            defaults[name] = _inline(node, components)
            rules[name] = {"$ref": f"#/$defs/{_rule_type(path, node)}"}
    return _object(defaults), _object(rules)


def _object(properties: dict) -> dict:
    return {"type": ["object", "null"], "properties": properties, "additionalProperties": False}


def _itemized(name: str, items: dict, components: dict) -> tuple[dict, dict]:
    item = _inline(items, components)
    default = {"instances": {"type": ["array", "null"], "items": item}}
    rule = {"instances": {"$ref": "#/$defs/InstancesRules"}}
    if name in DEFAULT_ATTRIBUTES:
        default["attributes"] = _object(dict(item["properties"]))
    if name in ATTRIBUTES:
        rule["attributes"] = _object(
            {k: {"$ref": f"#/$defs/{t}"} for k, t in ATTRIBUTES[name].items()}
        )
    return _object(default), _object(rule)


def _rule_type(path: str, node: dict) -> str:
    kind = node.get("type")
    if path in STRING_RULES:
        return "StringRules"
    if kind == "integer":
        return "IntegerRulesOptional" if path in OPTIONAL_INTEGERS else "IntegerRules"
    if kind == "string" and node.get("pattern") == QUANTITY_PATTERN:
        return "QuantityRules"
    return {"number": "NumberRules", "boolean": "BooleanRules", "array": "ArrayRules"}.get(
        kind, "StringRules"
    )
