"""Unit tests for the helpers behind the environment variable rules (V...)."""

from __future__ import annotations

import pytest

from nimlint.checks.environment import (
    config_key_errors,
    given_sources,
    is_secret_name,
)
from nimlint.engine.context import Context


@pytest.mark.parametrize("key", ["NGC_API_KEY", "model.yaml", ".hidden", "a-b_c.d", "1"])
def test_valid_config_keys(key: str) -> None:
    assert config_key_errors(key) == []


@pytest.mark.parametrize("key", ["a b", "config/model.yaml", ".", "..", "..data", "clé", "k\n"])
def test_invalid_config_keys(key: str) -> None:
    assert config_key_errors(key)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("NGC_API_KEY", True),
        ("HF_TOKEN", True),
        ("db_password", True),
        ("AWS_SECRET", True),
        ("WANDB_API_KEY", True),
        ("TOKEN", False),
        ("_TOKEN", False),
        ("NIM_MAX_TOKENS", False),
        ("NIM_TOKENIZER_MODE", False),
        ("SECRET_NAME", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("entry", "sources"),
    [
        ({"name": "A", "value": "1"}, ["value"]),
        ({"name": "A", "value": ""}, []),
        ({"name": "A", "value": None, "secret": {}}, ["secret"]),
        ({"name": "A", "value": "", "podFieldRef": {"path": "metadata.name"}}, ["podFieldRef"]),
        (
            {"name": "A", "userCredential": {}, "value": "x", "configMap": {}},
            ["value", "configMap", "userCredential"],
        ),
    ],
)
def test_given_sources(entry: dict, sources: list[str]) -> None:
    assert given_sources(entry) == sources


def test_active_variables_skips_excluded_and_non_mappings() -> None:
    ctx = Context(
        {
            "spec": {
                "environmentVariables": [
                    {"name": "A"},
                    "B",
                    {"name": "C", "exclude": True},
                    {"name": "D", "exclude": False},
                ]
            }
        },
        "update",
    )
    assert [p for p, _ in ctx.applied("/spec/environmentVariables")] == [
        "/spec/environmentVariables/0",
        "/spec/environmentVariables/3",
    ]


def test_active_variables_ignores_a_mapping_instead_of_a_list() -> None:
    ctx = Context({"spec": {"environmentVariables": {"A": {"name": "A"}}}}, "update")
    assert list(ctx.applied("/spec/environmentVariables")) == []
