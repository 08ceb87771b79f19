"""Run:ai's own shape: one entry per document linted under a policy, with its issues.

Each entry is ``{"file", "document", "complianceIssues": [{"field", "details", "rule"}]}``
(``document``: the 1-based index of the document in its file),
the ``complianceIssues`` of the server's SubmissionErrorV2 (field dotted, relative to spec).
"""

from __future__ import annotations

from nimlint.escaping import printable
from nimlint.report import Report
from nimlint.report.json_text import dumps


def render(report: Report, *, color: bool) -> str:
    """Render the policy compliance of ``report`` as a JSON array (``color`` is ignored)."""
    issues: dict[tuple[str, int], list[dict]] = {key: [] for key in report.policed}
    for finding in report.findings:
        key = (finding.file, finding.document)
        if finding.compliance and key in issues:
            field, details, rule = finding.compliance  # outside text: escaped like messages
            issues[key].append(
                {"field": printable(field), "details": printable(details), "rule": rule}
            )
    entries = [
        {"file": file, "document": document + 1, "complianceIssues": found}
        for (file, document), found in issues.items()
    ]
    return dumps(entries, ensure_ascii=False) + "\n"
