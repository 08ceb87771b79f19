"""jsonschema-rs (the fast path) and python-jsonschema (the reference) agree on every file."""

from __future__ import annotations

from pathlib import Path

import pytest

from nimlint.loading.model import Document, escape_token
from nimlint.loading.source import decode, documents
from nimlint.schema.kinds import detect_kind
from nimlint.schema.schemaset import shipped
from nimlint.schema.validate import schema_problems
from tests.oracle import reference_validator

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = shipped()
SAMPLES = sorted(
    p
    for folder in (ROOT / "examples", ROOT / "tests" / "fixtures")
    for p in folder.rglob("*")
    if p.suffix in (".yaml", ".yml", ".json")
    and p.name != "options.yaml"
    and "openapi" not in p.name
)


def fast(kind: str, data) -> set[tuple[str, str]]:
    return {(problem.pointer, rule) for rule, problem in schema_problems(SCHEMAS, kind, data)}


def reference(kind: str, data) -> set[tuple[str, str]]:
    from nimlint.schema.validate import KEYWORD_RULES, OTHER_RULE

    validator = reference_validator(SCHEMAS.schemas[kind])
    return {
        (
            "".join("/" + escape_token(str(t)) for t in error.absolute_path),
            KEYWORD_RULES.get(error.validator, OTHER_RULE),
        )
        for error in validator.iter_errors(data)
    }


def sample_documents(path: Path) -> list[Document]:
    text = decode(path.read_bytes())
    if not isinstance(text, str):
        return []
    return [
        d
        for d in documents(text, is_json=path.suffix == ".json")
        if isinstance(d, Document) and isinstance(d.data, dict)
    ]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_validators_agree(path: Path) -> None:
    for document in sample_documents(path):
        kind = detect_kind(document.data)
        assert fast(kind, document.data) == reference(kind, document.data)


def test_the_samples_exercise_failures() -> None:
    failing = [
        path
        for path in SAMPLES
        for document in sample_documents(path)
        if fast(detect_kind(document.data), document.data)
    ]
    assert len(failing) >= 10
