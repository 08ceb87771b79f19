"""nimlint: an offline linter for NVIDIA Run:ai NIM service workload specs."""

__version__ = "0.1.0"

HOMEPAGE = "https://github.com/nimlint/nimlint"
RULES_DOC_URL = HOMEPAGE + "/blob/main/docs/rules.md"


def rule_doc_url(rule_id: str) -> str:
    """Where the documentation of ``rule_id`` lives (an anchor in docs/rules.md)."""
    return f"{RULES_DOC_URL}#{rule_id.lower()}"
