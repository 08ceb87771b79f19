"""Kind detection: the best fit, found without building shapes it does not need."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nimlint.schema.kinds import KINDS, best_fit, detect_kind, misfits
from nimlint.schema.schemaset import shipped
from nimlint.schema.unknown_keys import unknown_key_problems

SHAPE_OF = shipped().shape

# Keys of the three bodies and of their metadata/spec, plus strays, so every kind can win.
KEYS = st.sampled_from(
    [
        "metadata",
        "spec",
        "fieldsToRemove",
        "desiredPhase",
        "name",
        "projectId",
        "clusterId",
        "id",
        "createdAt",
        "replicas",
        "image",
        "compute",
        "stray",
    ]
)
VALUES = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_the_kind_is_the_first_with_the_fewest_misfits(data: dict) -> None:
    assert detect_kind(data, SHAPE_OF) == min(KINDS, key=lambda k: misfits(data, SHAPE_OF(k)))


@given(st.dictionaries(KEYS, VALUES, max_size=5), st.sampled_from(KINDS), st.integers(0, 6))
def test_a_bounded_count_is_exact_below_its_limit(data: dict, kind: str, limit: int) -> None:
    exact = misfits(data, SHAPE_OF(kind))
    bounded = misfits(data, SHAPE_OF(kind), limit=limit)
    assert bounded == exact if exact < limit else limit <= bounded <= exact


@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_the_best_fit_counts_the_misfits_of_its_kind(data: dict) -> None:
    kind, count = best_fit(data, SHAPE_OF)
    assert count == misfits(data, SHAPE_OF(kind))
    if count == 0:  # the linter then skips the unknown-key walk
        assert not list(unknown_key_problems(data, SHAPE_OF(kind)))


def test_a_perfect_create_body_needs_only_the_create_shape() -> None:
    asked = []

    def shape_of(kind: str):
        asked.append(kind)
        return SHAPE_OF(kind)

    body = {"metadata": {"name": "a", "projectId": "1"}, "spec": {"replicas": 1}}
    assert detect_kind(body, shape_of) == "create"
    assert asked == ["create"]
    asked.clear()
    assert detect_kind({"spec": {"replicas": 1}, "fieldsToRemove": []}, shape_of) == "update"
    assert asked == ["create", "update"]
