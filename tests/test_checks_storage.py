"""Unit tests for the helpers of nimlint.checks.storage."""

from __future__ import annotations

import pytest

from nimlint.checks.storage import PVC, access_modes, is_new_pvc, read_write_once_only


@pytest.mark.parametrize(
    ("pvc", "expected"),
    [
        ({}, True),
        ({"existingPvc": None}, True),
        ({"existingPvc": False}, True),
        ({"existingPvc": True}, False),
        ({"existingPvc": 0}, False),
        ({"existingPvc": "false"}, False),
        (None, False),
    ],
)
def test_is_new_pvc(pvc: object, expected: bool) -> None:
    assert is_new_pvc(pvc) is expected


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        ({}, True),
        ({"readWriteOnce": True}, True),
        ({"readWriteOnce": None, "readWriteMany": False}, True),
        ({"readWriteMany": True}, False),
        ({"readOnlyMany": True}, False),
        ({"readWriteOnce": False}, False),
        ({"readWriteOnce": 1}, False),
    ],
)
def test_read_write_once_only(modes: dict, expected: bool) -> None:
    assert read_write_once_only(modes) is expected


@pytest.mark.parametrize(
    ("pvc", "expected"),
    [
        ({}, (PVC, {})),
        ({"claimInfo": None}, (PVC, {})),
        ({"claimInfo": {"size": "1Gi"}}, (f"{PVC}/claimInfo", {})),
        (
            {"claimInfo": {"accessModes": {"readWriteMany": True}}},
            (f"{PVC}/claimInfo/accessModes", {"readWriteMany": True}),
        ),
        ({"claimInfo": "1Gi"}, None),
        ({"claimInfo": {"accessModes": ["ReadWriteMany"]}}, None),
    ],
)
def test_access_modes_points_at_the_field_to_change(pvc: dict, expected: object) -> None:
    assert access_modes(pvc) == expected
