"""GitLab Code Quality report (``artifacts:reports:codequality``): a JSON array of issues.

The format is GitLab's subset of the CodeClimate issue: description, check_name, fingerprint,
severity and location (path, lines). GitLab tells new findings from old ones in a merge request
by fingerprint, so it is made of what identifies a finding, not of where it is: the file, the
rule, the document in the stream, the JSON pointer and the message, never the line. A finding
keeps its fingerprint when lines above it move; identical findings get a counter each.
"""

from __future__ import annotations

import hashlib

from nimlint.findings import Severity
from nimlint.report import Report
from nimlint.report.json_text import dumps

# GitLab's severities: info, minor, major, critical, blocker. An error makes the request
# fail (major); a warning is accepted but likely wrong (minor).
_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(report: Report, *, color: bool) -> str:
    """The findings as a JSON array of Code Quality issues (``color`` is ignored)."""
    seen: set[str] = set()
    issues = []
    for f in report.findings:
        identity = "\0".join((f.file, f.rule, str(f.document), f.pointer, f.message))
        fingerprint, count = _digest(identity), 0
        while fingerprint in seen:
            count += 1
            fingerprint = _digest(f"{identity}\0{count}")
        seen.add(fingerprint)
        issues.append(
            {
                "type": "issue",
                "check_name": f.rule,
                "description": f"{f.rule}: {f.message}",
                "severity": _SEVERITY[f.severity],
                "fingerprint": fingerprint,
                "location": {"path": f.file, "lines": {"begin": f.line, "end": f.end_line}},
            }
        )
    return dumps(issues) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
