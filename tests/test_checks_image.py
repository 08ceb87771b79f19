"""Unit tests for the Python image rules."""

from __future__ import annotations

import pytest

from nimlint.checks.image import (
    RULES,
    image_reference_invalid,
    image_tag_unpinned,
    ngc_image_without_credentials,
)
from nimlint.engine.context import Context

DIGEST = "sha256:" + "0" * 64


def spec(**fields: object) -> Context:
    return Context({"metadata": {"name": "x", "projectId": "1"}, "spec": fields}, "create")


@pytest.mark.parametrize(
    ("image", "found"),
    [
        ("nvcr.io/nim/meta/llama:1.3.3", 0),
        (f"nvcr.io/nim/meta/llama:latest@{DIGEST}", 0),
        (f"nvcr.io/nim/meta/llama@{DIGEST}", 0),
        ("nvcr.io/nim/meta/llama:Latest", 0),
        ("nvcr.io/nim/meta/llama:latest", 1),
        ("nvcr.io/nim/meta/llama", 1),
        ("localhost:5000/llama", 1),
        ("nvcr.io/NIM/llama", 0),
    ],
)
def test_unpinned_images(image: str, found: int) -> None:
    assert len(list(image_tag_unpinned(spec(image=image)))) == found


def test_unpinned_message_mentions_the_pull_policy_default_only_when_it_applies() -> None:
    (defaulted,) = image_tag_unpinned(spec(image="nvcr.io/nim/llama"))
    (explicit,) = image_tag_unpinned(spec(image="nvcr.io/nim/llama", imagePullPolicy="Always"))
    assert "defaults to Always" in defaulted.message
    assert "defaults to Always" not in explicit.message


def test_whitespace_is_named_as_such() -> None:
    (problem,) = image_reference_invalid(spec(image=" nvcr.io/nim/llama:1"))
    assert "whitespace" in problem.message


@pytest.mark.parametrize(
    ("fields", "found"),
    [
        ({"image": "NVCR.IO/nim/llama:1"}, 1),
        ({"image": "nvcr.io/nim/llama:1", "ngcAuthSecret": "ngc"}, 0),
        ({"image": "nvcr.io/nim/llama:1", "imagePullSecrets": [{"name": "ngc"}]}, 0),
        (
            {
                "image": "nvcr.io/nim/llama:1",
                "imagePullSecrets": [{"name": "ngc", "exclude": True}],
            },
            1,
        ),
        ({"image": "nvcr.io/nim/llama:1", "imagePullSecrets": [{"userCredential": True}]}, 1),
        ({"image": "ghcr.io/nim/llama:1"}, 0),
        ({"image": "nvcr.io/NIM/llama:1"}, 0),
    ],
)
def test_ngc_credentials(fields: dict, found: int) -> None:
    assert len(list(ngc_image_without_credentials(spec(**fields)))) == found


def test_ngc_credentials_are_not_required_in_updates() -> None:
    rule = next(r for r in RULES if r.id == "I004")
    assert "update" not in rule.kinds
