"""Unit tests for the toleration rules (T...) that have logic of their own."""

from __future__ import annotations

from nimlint.checks.tolerations import (
    empty_key_needs_exists,
    missing_field,
    value_invalid,
)
from nimlint.engine.context import Context


def run(check, *tolerations: object) -> list[tuple[str, str]]:
    ctx = Context({"spec": {"tolerations": list(tolerations)}}, "update")
    return [(p.pointer, p.at) for p in check(ctx)]


def test_active_tolerations_skips_excluded_and_non_mappings() -> None:
    ctx = Context({"spec": {"tolerations": [{"key": "a"}, None, {"exclude": True}]}}, "update")
    assert [p for p, _ in ctx.applied("/spec/tolerations")] == ["/spec/tolerations/0"]


def test_missing_field_reports_each_absent_or_null_field_at_the_toleration() -> None:
    found = run(missing_field, {"key": "", "operator": None})
    assert found == [("/spec/tolerations/0", "key")] * 2


def test_empty_key_points_at_the_operator_when_there_is_one() -> None:
    assert run(empty_key_needs_exists, {"key": "", "operator": "Equal"}) == [
        ("/spec/tolerations/0/operator", "value")
    ]
    assert run(empty_key_needs_exists, {"effect": "Any"}) == [("/spec/tolerations/0", "key")]


def test_empty_key_accepts_exists_and_ignores_wrong_types() -> None:
    assert run(empty_key_needs_exists, {"key": None, "operator": "Exists"}) == []
    assert run(empty_key_needs_exists, {"key": 5, "operator": "Equal"}) == []
    assert run(empty_key_needs_exists, {"key": "", "operator": 5}) == []


def test_value_is_checked_for_equal_and_for_no_operator_only() -> None:
    bad = "not valid"
    assert run(value_invalid, {"operator": "Equal", "value": bad}) == [
        ("/spec/tolerations/0/value", "value")
    ]
    assert run(value_invalid, {"value": bad}) == [("/spec/tolerations/0/value", "value")]
    assert run(value_invalid, {"operator": "Exists", "value": bad}) == []
    assert run(value_invalid, {"operator": "Equal", "value": ""}) == []
