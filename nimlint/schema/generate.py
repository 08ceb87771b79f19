"""Turn the Run:ai OpenAPI 3.0 document into one standalone JSON Schema per document kind.

OpenAPI 3.0 schemas are not JSON Schema: ``nullable`` becomes a ``"null"`` type (and a
``None`` enum member), ``int32``/``int64`` formats become numeric bounds, boolean
``exclusiveMinimum``/``exclusiveMaximum`` become numbers, ``example`` becomes ``examples``,
``$ref`` siblings (ignored by OpenAPI 3.0) are dropped, and ``pattern: ".*"`` (which
matches every string) is removed so that it costs nothing. Descriptions and defaults are
kept for editors (yaml-language-server hover and completion), and ``deprecated`` (a JSON
Schema annotation too) for S011.
"""

from __future__ import annotations

from typing import Any

DIALECT = "https://json-schema.org/draft/2020-12/schema"
COLLECTION = "/api/v2/workloads/nim-services"
ITEM = "/api/v2/workloads/nim-services/{WorkloadV2Id}"

# Where each document kind's schema is, as (path, method, "request" | status code).
KIND_LOCATIONS = {
    "create": (COLLECTION, "post", "request"),
    "update": (ITEM, "patch", "request"),
    "response": (ITEM, "get", "200"),
}
KIND_TITLES = {
    "create": "Run:ai NIM service create request (POST /api/v2/workloads/nim-services)",
    "update": "Run:ai NIM service update request (PATCH /api/v2/workloads/nim-services/{id})",
    "response": "Run:ai NIM service (GET /api/v2/workloads/nim-services/{id})",
}
INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_REF_PREFIX = "#/components/schemas/"
_DROPPED = {"nullable", "discriminator", "xml", "externalDocs", "example"}


class SchemaGenerationError(ValueError):
    """The OpenAPI document lacks what nimlint needs to build a schema."""


def schema_filename(kind: str) -> str:
    return f"nim-service-{kind}.schema.json"


def kind_root(openapi: dict, kind: str) -> dict:
    """Return the (OpenAPI) schema object of document ``kind``."""
    path, method, where = KIND_LOCATIONS[kind]
    try:
        operation = openapi["paths"][path][method]
        holder = operation["requestBody"] if where == "request" else operation["responses"][where]
        return holder["content"]["application/json"]["schema"]
    except (KeyError, TypeError):
        raise SchemaGenerationError(
            f"the OpenAPI document has no JSON schema for {method.upper()} {path} ({kind})"
        ) from None


def generate(openapi: dict, kind: str) -> dict:
    """Build the standalone JSON Schema (draft 2020-12) for document ``kind``."""
    components = openapi.get("components", {}).get("schemas", {})
    root = kind_root(openapi, kind)
    needed = _referenced(root, components)
    body = convert(_resolve_root(root, components))
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"https://nimlint.dev/schemas/{schema_filename(kind)}",
        "title": KIND_TITLES[kind],
        **{k: v for k, v in body.items() if k != "title"},
    }
    if needed:
        schema["$defs"] = {name: convert(components[name]) for name in sorted(needed)}
    return schema


def _resolve_root(root: dict, components: dict) -> dict:
    ref = root.get("$ref")
    return components[ref[len(_REF_PREFIX) :]] if ref else root


def _referenced(root: dict, components: dict) -> set[str]:
    """Names of every component schema reachable from ``root`` (excluding a root $ref)."""
    seen: set[str] = set()
    stack = [_resolve_root(root, components)]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
                name = ref[len(_REF_PREFIX) :]
                if name not in components:
                    raise SchemaGenerationError(f"unresolvable $ref {ref!r}")
                if name not in seen:
                    seen.add(name)
                    stack.append(components[name])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return seen


def convert(node: Any) -> Any:
    """Convert one OpenAPI 3.0 schema object (recursively) to JSON Schema 2020-12."""
    if isinstance(node, list):
        return [convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"].replace(_REF_PREFIX, "#/$defs/")}
    out = {key: _convert_value(key, value) for key, value in node.items() if key not in _DROPPED}
    if out.get("pattern") == ".*":
        del out["pattern"]
    if "example" in node:
        out["examples"] = [node["example"]]
    _convert_exclusive_bounds(out)
    if out.get("type") == "integer" and node.get("format") in INT_BOUNDS:
        low, high = INT_BOUNDS[node["format"]]
        out["minimum"] = max(out.get("minimum", low), low)
        out["maximum"] = min(out.get("maximum", high), high)
    if node.get("nullable") is True:
        _allow_null(out)
    return out


def _convert_value(key: str, value: Any) -> Any:
    if key in ("properties", "patternProperties", "$defs", "definitions"):
        return {name: convert(sub) for name, sub in value.items()}
    if key in ("enum", "default", "required", "description", "title", "examples"):
        return value
    return convert(value)


def _convert_exclusive_bounds(out: dict) -> None:
    for keyword, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = out.get(keyword)
        if isinstance(flag, bool):
            if flag and bound in out:
                out[keyword] = out.pop(bound)
            else:
                del out[keyword]


def _allow_null(out: dict) -> None:
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        out["type"] = [*kind, "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
