"""report.json_text writes exactly what json.dumps(indent=2) writes, on any JSON value."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nimlint.report.json_text import dumps

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities included: json writes NaN, Infinity
    | st.text()  # every code point: control characters, surrogates, astral planes
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(VALUES)
def test_the_text_is_json_dumps_with_an_indent_of_two(value):
    assert dumps(value) == json.dumps(value, indent=2)


@given(VALUES)
def test_without_ascii_escapes_too(value):
    assert dumps(value, ensure_ascii=False) == json.dumps(value, indent=2, ensure_ascii=False)


def test_subclasses_are_written_as_json_writes_them():
    from collections import OrderedDict

    from nimlint.findings import Severity, Span

    value = {
        "severity": Severity.ERROR,
        "count": True,
        "n": 3,
        "ordered": OrderedDict(b=1, a=[2]),
        "span": Span(1, 2, 3, 4),  # a NamedTuple: a list
    }
    assert dumps(value) == json.dumps(value, indent=2)


KEYS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4)


@given(st.dictionaries(KEYS, st.integers(), max_size=4))
def test_keys_that_are_not_strings_are_written_as_json_writes_them(value):
    assert dumps(value) == json.dumps(value, indent=2)


def test_a_mapping_subclass_is_written_through_its_own_items():
    class Reversed(dict):
        def items(self):
            return reversed(list(super().items()))

    value = {"m": Reversed(a=1, b=2)}
    assert dumps(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize("value", [{(1, 2): "a"}, {"a": object()}, [b"bytes"]])
def test_what_json_cannot_write_is_a_type_error(value):
    with pytest.raises(TypeError):
        json.dumps(value, indent=2)
    with pytest.raises(TypeError):
        dumps(value)


@given(VALUES, st.integers(min_value=0, max_value=6))
def test_at_a_level_the_lines_are_indented_as_nested_that_deep(value, level):
    assert dumps(value, level=level) == json.dumps(value, indent=2).replace(
        "\n", "\n" + "  " * level
    )


def test_raw_text_is_copied_as_it_is():
    from nimlint.report.json_text import Raw

    assert dumps({"a": Raw('[1, "x"]'), "b": "[1]"}) == '{\n  "a": [1, "x"],\n  "b": "[1]"\n}'
