"""Hypothesis profiles for the property tests (loaded by tests/conftest.py).

``repeatable``, the default: each property draws the same examples on every run, with no
time limit per example, so a run (CI's included) never fails by chance. ``thorough``: new
random examples on every run, ten times as many, to find what the repeatable set misses.
Choose it with ``HYPOTHESIS_PROFILE=thorough`` (docs/contributing.md, "Testing").
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "repeatable",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],  # timed: a loaded machine trips it
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def load() -> None:
    """Make the chosen profile (``HYPOTHESIS_PROFILE``, default repeatable) the default."""
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def examples(count: int) -> int:
    """``count`` examples in a repeatable run, ten times as many in a thorough one."""
    return count * settings.default.max_examples // 100
