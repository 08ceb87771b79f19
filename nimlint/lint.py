"""The plain API: lint files or text and get findings back. No click, no printing.

    from nimlint.lint import Options, lint_paths, lint_text

How a file is linted: ``driver`` (files) -> ``pipeline`` (documents) -> ``fixer`` (fixes);
configurations are set up by ``setups``, files found by ``targets``.
"""

from __future__ import annotations

from pathlib import Path

from nimlint.discovery import STDIN
from nimlint.driver import Linter, LintResult, lint_files, lint_paths
from nimlint.findings import Finding
from nimlint.options import Options, UsageError
from nimlint.setups import merged_policy

__all__ = [
    "STDIN",
    "LintResult",
    "Linter",
    "Options",
    "UsageError",
    "lint_files",
    "lint_paths",
    "lint_text",
    "merged_policy",
]


def lint_text(text: str, filename: str = "<text>", options: Options | None = None) -> list[Finding]:
    """Lint a string (YAML, or JSON when ``filename`` ends in .json)."""
    return Linter(options).lint_bytes(text.encode("utf-8"), filename, Path.cwd())
