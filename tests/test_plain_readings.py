"""The loader's fast path reads a plain value as its full path does, every time.

Most plain scalars go through ``_fast_scalar``, which keeps each number, null and boolean text
it has read (a run's files repeat the same few). An anchored scalar always takes the full
path (``_Builder.scalar``), so a document with ``&a`` before the value is the reference: data,
loader findings, YAML 1.1 readings and numbers written otherwise must all be the same, on the
first read and on every later one (from the kept readings).
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nimlint.loading import yaml_stream
from nimlint.loading.model import ParseFailure
from nimlint.loading.yaml_stream import iter_documents

WORDS = ["y", "Yes", "no", "On", "OFF", "n", "null", "Null", "~", "true", "FALSE", "nvcr.io/x"]
NUMBERS = st.from_regex(r"[-+]?(0[xob])?[0-9_.:eE+-]{1,12}", fullmatch=True)
PLAIN = st.one_of(
    st.sampled_from(WORDS),
    NUMBERS,
    st.from_regex(r"[a-zA-Z.][a-zA-Z0-9._/-]{0,12}", fullmatch=True),
)


def _read(text: str, json_mode: bool):
    found = list(iter_documents(text, json_mode=json_mode))
    assert len(found) == 1 and not isinstance(found[0], ParseFailure), found
    doc = found[0]
    values = doc.data["k"] if isinstance(doc.data["k"], list) else [doc.data["k"]]
    readings = [(type(v), v) for v in values]  # 1 and 1.0 and True are not the same reading
    return readings, doc.problems, doc.yaml11, doc.written


def _same_as_full_path(plain: str, json_mode: bool) -> None:
    fast = f"k: [{plain}, {plain}]\n"  # the second one from the kept reading
    full = f"k: [&a {plain}, &b {plain}]\n"
    try:
        expected = _read(full, json_mode)
        first = _read(fast, json_mode)
    except AssertionError:  # not one plain scalar there (a YAML indicator, a syntax error)
        return
    assert first == expected
    assert _read(fast, json_mode) == expected  # again, from the kept readings


@pytest.mark.parametrize("json_mode", [False, True])
@settings(max_examples=300, deadline=None)
@given(plain=PLAIN)
@example(plain="0755")
@example(plain="1e3")
@example(plain="+4501")
@example(plain="1_000")
@example(plain="1:30")
@example(plain=".inf")
@example(plain="99999999999999999999999")
@example(plain="yes")
def test_a_plain_value_reads_as_the_full_path_reads_it(plain: str, json_mode: bool) -> None:
    _same_as_full_path(plain, json_mode)


def test_kept_readings_stay_bounded() -> None:
    readings = yaml_stream._READINGS[False]
    for number in range(yaml_stream._MAX_READINGS + 10):
        _same_as_full_path(str(number), json_mode=False)
    assert 0 < len(readings) <= yaml_stream._MAX_READINGS
    long = "1" * (yaml_stream._MAX_READ_LENGTH + 1)
    list(iter_documents(f"k: {long}\n"))
    assert long not in readings
