"""The JSON Schemas nimlint validates against: the shipped ones, or built from --openapi."""

from __future__ import annotations

import json
from pathlib import Path

from nimlint.files import read_text
from nimlint.resources import schema_path
from nimlint.schema.formats import CHECKS
from nimlint.schema.generate import KIND_LOCATIONS, SchemaGenerationError, generate, schema_filename
from nimlint.schema.shape import Shape, build_shape

MAX_OPENAPI_BYTES = 64 * 1024 * 1024  # the whole Run:ai API document is a few MB


class OpenAPIError(ValueError):
    """The --openapi document cannot be used."""


class SchemaSet:
    """One JSON Schema per document kind, with compiled validators and shapes made lazily."""

    def __init__(self, schemas: dict[str, dict]):
        self.schemas = schemas
        self._validators: dict = {}
        self._shapes: dict[str, Shape] = {}

    def validator(self, kind: str):
        if kind not in self._validators:
            import jsonschema_rs

            # mask: jsonschema-rs would write each failing value (a whole expanded list, say)
            # into error texts nimlint never shows; messages are built from kind and instance.
            # offline: jsonschema-rs would fetch an http(s) $ref; the --openapi check refuses
            # those first, and this keeps it so for any schema that reaches here.
            # Formats are checked (formats.py: which, and how); unknown ones check nothing.
            self._validators[kind] = jsonschema_rs.Draft202012Validator(
                self.schemas[kind],
                validate_formats=True,
                formats=CHECKS,
                ignore_unknown_formats=True,
                mask="<value>",
                offline=True,
            )
        return self._validators[kind]

    def shape(self, kind: str) -> Shape:
        if kind not in self._shapes:
            self._shapes[kind] = build_shape(self.schemas[kind])
        return self._shapes[kind]


class _ShippedSchemas(dict):
    """Reads a shipped schema file the first time its kind is needed."""

    def __missing__(self, kind: str) -> dict:
        with open(schema_path(schema_filename(kind)), encoding="utf-8") as handle:
            self[kind] = json.load(handle)
        return self[kind]


def shipped() -> SchemaSet:
    """The schemas generated from the Run:ai 2.24 document that nimlint ships."""
    return SchemaSet(_ShippedSchemas())


def from_openapi(path: Path) -> SchemaSet:
    """Validate an OpenAPI document with openapi-spec-validator and build its schemas."""
    try:
        text = read_text(path, MAX_OPENAPI_BYTES, "an OpenAPI document")
    except OSError as exc:
        raise OpenAPIError(f"cannot read OpenAPI document {path}: {exc.strerror or exc}") from None
    document = _parse(text, path)
    _refuse_outside_references(document, path)
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as exc:
        reason = _excerpt(exc.message)
        raise OpenAPIError(f"{path} is not a valid OpenAPI document: {reason}") from None
    try:
        return SchemaSet({kind: generate(document, kind) for kind in KIND_LOCATIONS})
    except SchemaGenerationError as exc:
        raise OpenAPIError(f"{path}: {_excerpt(str(exc))}") from None


# Keywords that make a validator read another document, unless they point inside this one.
_REFERENCES = ("$ref", "$dynamicRef", "$id")


def _refuse_outside_references(document: dict, path: Path) -> None:
    """nimlint is offline: a reference to a file or URL is an error, never followed."""
    stack: list[tuple[object, str]] = [(document, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            for keyword in _REFERENCES:
                target = node.get(keyword)
                if target is not None and not (isinstance(target, str) and target[:1] == "#"):
                    raise OpenAPIError(
                        f"{path}: {keyword} {_excerpt(repr(target), 120)} at {pointer or '/'}: "
                        "nimlint follows only references inside the document (#/...), "
                        "never to another file or the network"
                    )
            stack.extend((v, f"{pointer}/{k}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(node))


def _excerpt(text: str, limit: int = 200) -> str:
    """At most ``limit`` characters of a message that may quote the document."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _parse(text: str, path: Path) -> dict:
    try:
        if path.suffix == ".json":
            document = json.loads(text)
        else:
            import yaml

            document = yaml.load(text, Loader=yaml.CSafeLoader)
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's file
        raise OpenAPIError(f"cannot parse OpenAPI document {path}: {_excerpt(str(exc))}") from None
    if not isinstance(document, dict):
        raise OpenAPIError(f"{path} is not an OpenAPI document (not a mapping)")
    return document
