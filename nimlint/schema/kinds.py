"""Which request body a document is: create, update, or a GET response."""

from __future__ import annotations

from typing import Any

SERVER_FIELDS = {"id", "createdAt", "createdBy", "updatedAt", "clusterId", "tenantId", "gvk"}


def detect_kind(data: Any) -> str:
    """Guess the document kind from its shape.

    ``desiredPhase`` or server-filled metadata -> response; ``metadata`` -> create;
    ``fieldsToRemove`` or a lone ``spec`` -> update; anything else -> create.
    """
    if not isinstance(data, dict):
        return "create"
    metadata = data.get("metadata")
    if "desiredPhase" in data or (isinstance(metadata, dict) and SERVER_FIELDS & metadata.keys()):
        return "response"
    if "metadata" in data:
        return "create"
    if "fieldsToRemove" in data or "spec" in data:
        return "update"
    return "create"
