"""loading.model.copied: loaded data copied as copy.deepcopy copies it, aliases kept shared."""

from __future__ import annotations

import copy
import json

from hypothesis import given
from hypothesis import strategies as st

from nimlint.loading.model import copied
from nimlint.loading.source import documents

DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def _containers(value):
    if isinstance(value, (dict, list)):
        yield value
        for child in value.values() if isinstance(value, dict) else value:
            yield from _containers(child)


@given(DATA)
def test_the_copy_is_equal_and_shares_no_container_with_the_original(data):
    made = copied(data)
    assert json.dumps(made, sort_keys=True) == json.dumps(data, sort_keys=True)
    originals = {id(c) for c in _containers(data)}
    assert not any(id(c) in originals for c in _containers(made))


def test_a_node_that_aliases_share_stays_shared_as_deepcopy_keeps_it():
    text = "a: &x {k: [1, 2]}\nb: *x\nc: [*x, *x]\n"
    data = next(documents(text, is_json=False)).data
    made, reference = copied(data), copy.deepcopy(data)
    made["a"]["k"].append(3)
    reference["a"]["k"].append(3)
    assert made == reference
    assert made["b"] is made["a"] is made["c"][1]
    assert data["a"]["k"] == [1, 2]
