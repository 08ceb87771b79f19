"""Findings as LSP diagnostics: rule id as code (linked to its docs), severity, exact range,
and the other places a message names (a policy's line, the base's value) as related."""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types

from nimlint import rule_doc_url
from nimlint.findings import Finding, Severity
from nimlint.server.text import Lines

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

# "FILE:LINE" as nimlint's messages name another place (policy.yaml:12, running.yaml:7).
_PLACE = re.compile(r"([^\s:(),'\"]+\.(?:ya?ml|json)):(\d+)")


def finding_range(finding: Finding, lines: Lines) -> types.Range:
    return lines.span_range(finding.line, finding.column, finding.end_line, finding.end_column)


def diagnostic(finding: Finding, lines: Lines, folders: tuple[Path, ...]) -> types.Diagnostic:
    return types.Diagnostic(
        range=finding_range(finding, lines),
        message=finding.message,
        severity=SEVERITIES[finding.severity],
        code=finding.rule,
        code_description=types.CodeDescription(href=rule_doc_url(finding.rule)),
        source="nimlint",
        related_information=_related(finding.message, folders) or None,
    )


def _related(message: str, folders: tuple[Path, ...]) -> list[types.DiagnosticRelatedInformation]:
    """Each existing file a message names with a line, where the name is found from
    ``folders`` (the buffer's folder and upward: policies and bases are named relative
    to the configuration that lists them, or to where nimlint runs)."""
    related = []
    for match in _PLACE.finditer(message):
        name, line = match[1], int(match[2])
        path = next((f / name for f in folders if (f / name).is_file()), None)
        if path is None:
            continue
        spot = types.Position(max(line - 1, 0), 0)
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(path.resolve().as_uri(), types.Range(spot, spot)),
                message=f"{name}:{line}",
            )
        )
    return related
