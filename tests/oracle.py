"""python-jsonschema, the test oracle, set up to check the same formats as the fast path."""

from __future__ import annotations

import jsonschema

from nimlint.schema.formats import CHECKS, NAMED


def format_checker() -> jsonschema.FormatChecker:
    """The formats nimlint checks, each as jsonschema-rs checks it (formats.py)."""
    checker = jsonschema.FormatChecker(formats=[f for f in NAMED if f not in CHECKS])
    for name, check in CHECKS.items():
        checker.checks(name)(check)
    assert set(checker.checkers) == set(NAMED), "python-jsonschema lacks a format check"
    return checker


def reference_validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=format_checker())
