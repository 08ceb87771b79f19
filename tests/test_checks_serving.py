"""Unit tests for the helpers of nimlint.checks.serving."""

from __future__ import annotations

import pytest

from nimlint.engine.context import Context, as_int
from nimlint.engine.functions import missing_problem


def found(data: dict, pointer: str, path: str) -> list[tuple[str, str]]:
    return [
        (p.pointer, p.message)
        for p in missing_problem(Context(data, "create").get(pointer), pointer, path, "")
    ]


def test_missing_reports_on_the_deepest_mapping() -> None:
    data = {"spec": {"servingPort": {"metricsPort": 8002}}}
    assert found(data, "/spec", "servingPort/port") == [
        ("/spec/servingPort", "spec.servingPort needs port")
    ]


def test_missing_names_the_whole_rest_of_the_path() -> None:
    data = {"spec": {"servingPort": None}}
    assert found(data, "/spec", "servingPort/port") == [("/spec", "spec needs servingPort.port")]


@pytest.mark.parametrize(
    "spec",
    [
        {"servingPort": {"port": 8000}},
        {"servingPort": {"port": 0}},
        {"servingPort": 8000},
        {"servingPort": ["port"]},
    ],
)
def test_missing_is_silent_when_complete_or_mistyped(spec: object) -> None:
    assert found({"spec": spec}, "/spec", "servingPort/port") == []


def test_missing_is_silent_without_the_starting_mapping() -> None:
    assert found({"metadata": {}}, "/spec", "servingPort/port") == []


@pytest.mark.parametrize(("value", "expected"), [(8000, 8000), (True, None), ("8000", None)])
def test_as_int_rejects_booleans_and_strings(value: object, expected: int | None) -> None:
    assert as_int(value) == expected
