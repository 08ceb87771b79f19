"""Unit tests for the Python update rules."""

from __future__ import annotations

from nimlint.checks.updates import field_set_and_removed
from nimlint.engine.context import Context


def update(spec: object, removed: object) -> list[str]:
    ctx = Context({"spec": spec, "fieldsToRemove": removed}, "update")
    return [p.pointer for p in field_set_and_removed(ctx)]


def test_reports_each_field_once_at_its_first_entry() -> None:
    assert update({"labels": [], "replicas": 1}, ["labels", "replicas", "labels"]) == [
        "/fieldsToRemove/0",
        "/fieldsToRemove/1",
    ]


def test_replicas_and_autoscaling_are_different_fields() -> None:
    assert update({"replicas": 2}, ["autoscaling"]) == []


def test_skips_null_fields_and_malformed_input() -> None:
    assert update({"nodePools": None}, ["nodePools"]) == []
    assert update({"nodePools": ["a"]}, [["nodePools"], 3]) == []
    assert update(None, ["nodePools"]) == []
    assert update({"nodePools": ["a"]}, "nodePools") == []
