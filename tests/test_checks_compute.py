"""Compute rules: exact quantity comparisons, fractional bytes, and what counts as a GPU."""

from __future__ import annotations

import pytest

from nimlint.checks import compute
from nimlint.engine.context import Context


def run(check, compute_fields: dict, kind: str = "update") -> list:
    return list(check(Context({"spec": {"compute": compute_fields}}, kind)))


@pytest.mark.parametrize(
    ("request_text", "limit_text", "fires"),
    [
        ("1Gi", "1G", True),
        ("1G", "1Gi", False),
        ("1536Mi", "1.5Gi", False),
        ("1.5Gi", "1536Mi", False),
        ("1e9", "1G", False),
        ("1G", "1e9", False),
        ("1000000001", "1G", True),
        ("1Ki", "1k", True),
        ("512m", "1", False),
        ("1.2.3Gi", "1", False),  # malformed: R005's finding
        ("-2Gi", "1Gi", False),  # outside the document's pattern: S003's finding
    ],
)
def test_memory_limit_compared_as_quantities(request_text, limit_text, fires):
    fields = {"cpuMemoryRequest": request_text, "cpuMemoryLimit": limit_text}
    assert bool(run(compute.cpu_memory_limit_below_request, fields)) is fires


def test_memory_limit_message_names_both_fields():
    fields = {"gpuMemoryRequest": "1Gi", "gpuMemoryLimit": "1G"}
    (problem,) = run(compute.gpu_memory_limit_below_request, fields)
    assert problem.pointer == "/spec/compute/gpuMemoryLimit"
    assert problem.message == (
        "spec.compute.gpuMemoryLimit (1G) must be >= spec.compute.gpuMemoryRequest (1Gi)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("512m", '"512m" is 0.512 bytes ("m" means milli); did you mean 512Mi or 512M?'),
        ("1000m", '"1000m" is 1 byte ("m" means milli); did you mean 1000Mi or 1000M?'),
        ("3n", '"3n" is 0.000000003 bytes ("n" means nano)'),
        ("1.5", '"1.5" is 1.5 bytes; a byte count must be a whole number'),
        ("1e-1", '"1e-1" is 0.1 bytes; a byte count must be a whole number'),
    ],
)
def test_fractional_bytes_message(text, message):
    (problem,) = run(compute.fractional_bytes, {"cpuMemoryLimit": text})
    assert problem.message == f"spec.compute.cpuMemoryLimit {message}"


@pytest.mark.parametrize("text", ["512Mi", "0.5Ki", "1.5k", "1e3", "0"])
def test_whole_bytes_are_not_fractional(text):
    assert run(compute.fractional_bytes, {"cpuMemoryLimit": text}) == []


@pytest.mark.parametrize(
    ("fields", "fires"),
    [
        ({}, True),
        ({"gpuDevicesRequest": 0, "gpuPortionRequest": 0}, True),
        ({"gpuRequestType": "memory", "gpuMemoryRequest": "0Gi"}, True),
        ({"gpuDevicesRequest": 1}, False),
        ({"gpuRequestType": "portion", "gpuPortionRequest": 0.1}, False),
        ({"gpuRequestType": "memory", "gpuMemoryRequest": "1Mi"}, False),
        ({"gpuRequestType": "portion"}, False),  # G001 reports the missing value
        ({"gpuDevicesRequest": "1"}, False),  # wrong type: unknown, S001 reports it
        ({"gpuRequestType": "memory", "gpuMemoryRequest": "1mi"}, False),  # R005
    ],
)
def test_no_gpu_requested(fields, fires):
    assert bool(run(compute.no_gpu_requested, fields, kind="create")) is fires


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"gpuPortionLimit": 1},
            "spec.compute needs gpuRequestType: portion (set: gpuPortionLimit)",
        ),
        (
            {"gpuPortionRequest": 0.5, "gpuMemoryLimit": "8Gi"},
            "spec.compute needs gpuRequestType (portion or memory) and only that type's values "
            "(set: gpuPortionRequest, gpuMemoryLimit)",
        ),
    ],
)
def test_values_without_request_type(fields, message):
    (problem,) = run(compute.gpu_values_need_request_type, fields, kind="create")
    assert (problem.pointer, problem.at, problem.message) == ("/spec/compute", "key", message)
