"""gcc-style output: ``FILE:LINE:COL: SEVERITY: MESSAGE [RULE]``, one line per finding.

Info findings are reported as ``note``, the word gcc uses, so that vim's default
``errorformat``, Emacs ``compilation-mode`` and VS Code's ``$gcc`` problem matcher read them.
"""

from __future__ import annotations

from nimlint.findings import Severity
from nimlint.report import Report

_WORDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report, *, color: bool) -> str:
    """Render ``report`` one line per finding; empty when there is none (``color`` is ignored)."""
    return "".join(
        f"{f.file}:{f.line}:{f.column}: {_WORDS[f.severity]}: {f.message} [{f.rule}]\n"
        for f in report.findings
    )
