"""Schema layer: OpenAPI -> JSON Schema per document kind, validation, unknown keys."""
