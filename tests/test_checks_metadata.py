"""Unit tests for the Python metadata rules: limits, margins and what is skipped."""

from __future__ import annotations

import pytest

from nimlint.checks.metadata import (
    annotation_name_invalid,
    annotations_too_large,
    label_name_invalid,
    priority_class_unknown,
    workload_name_not_dns_label,
)
from nimlint.engine.context import Context
from nimlint.k8s.names import TOTAL_ANNOTATION_SIZE_LIMIT_B


def annotations(*entries: dict) -> Context:
    return Context({"spec": {"annotations": list(entries)}}, "create")


@pytest.mark.parametrize(("extra", "found"), [(0, 0), (1, 1)])
def test_annotation_size_limit_is_inclusive(extra: int, found: int) -> None:
    value = "v" * (TOTAL_ANNOTATION_SIZE_LIMIT_B - len("k") + extra)
    assert len(list(annotations_too_large(annotations({"name": "k", "value": value})))) == found


def test_annotation_size_counts_bytes_not_characters() -> None:
    value = "é" * (TOTAL_ANNOTATION_SIZE_LIMIT_B // 2)  # two bytes each in UTF-8
    problems = list(annotations_too_large(annotations({"name": "k", "value": value})))
    assert [p.pointer for p in problems] == ["/spec/annotations"]


def test_annotation_size_keeps_the_last_value_of_a_repeated_name() -> None:
    big = {"name": "k", "value": "v" * TOTAL_ANNOTATION_SIZE_LIMIT_B}
    assert list(annotations_too_large(annotations(big, {"name": "k", "value": "small"}))) == []
    assert len(list(annotations_too_large(annotations({"name": "k", "value": "x"}, big)))) == 1


def test_annotation_size_skips_excluded_entries() -> None:
    big = {"name": "k", "value": "v" * TOTAL_ANNOTATION_SIZE_LIMIT_B, "exclude": True}
    assert list(annotations_too_large(annotations(big))) == []


def workload(name: object, prefix: object = None) -> Context:
    metadata = {"name": name, "projectId": "1", "useGivenNameAsPrefix": prefix}
    return Context({"metadata": metadata, "spec": {}}, "create")


@pytest.mark.parametrize(
    ("name", "prefix", "found"),
    [
        ("a" * 63, None, 0),
        ("a" * 64, None, 1),
        ("a" * 57, True, 0),
        ("a" * 58, True, 1),
        ("a" * 63, False, 0),
        ("llama-", True, 0),
        ("llama-", None, 1),
        ("-llama", True, 1),
        ("8b-llama", None, 1),
    ],
)
def test_workload_name(name: str, prefix: object, found: int) -> None:
    assert len(list(workload_name_not_dns_label(workload(name, prefix)))) == found


def test_workload_name_message_explains_the_prefix_margin() -> None:
    (problem,) = workload_name_not_dns_label(workload("a" * 58, True))
    assert "useGivenNameAsPrefix" in problem.message
    assert "no more than 63" in problem.message


def test_annotation_keys_are_checked_lowercased_but_label_keys_are_not() -> None:
    entry = {"name": "Team.Example.com/Owner", "value": "x"}
    assert list(annotation_name_invalid(annotations(entry))) == []
    labels = Context({"spec": {"labels": [entry]}}, "create")
    assert [p.pointer for p in label_name_invalid(labels)] == ["/spec/labels/0/name"]


@pytest.mark.parametrize(
    ("value", "hint"),
    [("High", "did you mean high?"), ("medium_high", "did you mean medium-high?"), ("top", None)],
)
def test_priority_class_hint(value: str, hint: str | None) -> None:
    (problem,) = priority_class_unknown(Context({"spec": {"priorityClass": value}}, "update"))
    assert (hint in problem.message) if hint else "did you mean" not in problem.message


def test_metadata_priority_is_checked_in_responses_only() -> None:
    data = {"metadata": {"priority": "urgent"}, "spec": {}}
    assert list(priority_class_unknown(Context(data, "create"))) == []
    pointers = [p.pointer for p in priority_class_unknown(Context(data, "response"))]
    assert pointers == ["/metadata/priority"]
