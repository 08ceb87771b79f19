"""Quantity parsing, checked against cases from apimachinery's quantity_test.go and a model."""

from __future__ import annotations

import pickle
import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nimlint.k8s.quantity import Quantity, QuantityError, is_milli_memory, parse_quantity

NANO = Fraction(1, 1_000_000_000)
INT64_MAX = 9_223_372_036_854_775_807
RUNAI_PATTERN = r"^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

# Independent model: the documented grammar, spelled out, with multipliers written by hand.
STRICT = re.compile(
    r"(?P<num>[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))"
    r"(?P<suf>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE](?P<exp>[+-]?[0-9]+))?"
)
MULTIPLIER = {
    "n": Fraction(1, 1_000_000_000),
    "u": Fraction(1, 1_000_000),
    "m": Fraction(1, 1_000),
    "": Fraction(1),
    "k": Fraction(1_000),
    "M": Fraction(1_000_000),
    "G": Fraction(1_000_000_000),
    "T": Fraction(1_000_000_000_000),
    "P": Fraction(1_000_000_000_000_000),
    "E": Fraction(1_000_000_000_000_000_000),
    "Ki": Fraction(1024),
    "Mi": Fraction(1024 * 1024),
    "Gi": Fraction(1024 * 1024 * 1024),
    "Ti": Fraction(1024 * 1024 * 1024 * 1024),
    "Pi": Fraction(1024 * 1024 * 1024 * 1024 * 1024),
    "Ei": Fraction(1024 * 1024 * 1024 * 1024 * 1024 * 1024),
}


def model(text: str) -> Fraction | None:
    """The value Kubernetes stores for ``text``, or None if nimlint must reject it."""
    m = STRICT.fullmatch(text)
    if m is None or (m["exp"] is not None and abs(int(m["exp"])) > 1000):
        return None
    suffix = m["suf"] or ""
    exact = Fraction(m["num"])
    exact *= Fraction(10) ** int(m["exp"]) if m["exp"] is not None else MULTIPLIER[suffix]
    nanos = -(-abs(exact) // NANO)  # round up, away from zero
    if suffix.endswith("i"):
        nanos = min(nanos, INT64_MAX * 1_000_000_000)
    return nanos * NANO * (-1 if exact < 0 else 1)


VALUES = [
    # every suffix
    ("5n", Fraction(5, 1_000_000_000)),
    ("4u", Fraction(4, 1_000_000)),
    ("3m", Fraction(3, 1_000)),
    ("500m", Fraction(1, 2)),
    ("9", 9),
    ("8k", 8_000),
    ("7M", 7_000_000),
    ("6G", 6_000_000_000),
    ("5T", 5_000_000_000_000),
    ("2P", 2_000_000_000_000_000),
    ("1E", 1_000_000_000_000_000_000),
    ("1Ki", 1_024),
    ("7Mi", 7_340_032),
    ("6Gi", 6_442_450_944),
    ("5Ti", 5_497_558_138_880),
    ("4Pi", 4_503_599_627_370_496),
    ("3Ei", 3_458_764_513_820_540_928),
    # decimal exponents, either letter, signed, zero-padded
    ("1e3", 1_000),
    ("1E6", 1_000_000),
    ("1E-3", Fraction(1, 1_000)),
    ("1.3E+6", 1_300_000),
    ("0.5e-2", Fraction(1, 200)),
    ("2e+0", 2),
    ("2E-0", 2),
    ("7e007", 70_000_000),
    ("1e1000", 10**1000),
    # number forms
    ("1.", 1),
    ("1.G", 1_000_000_000),
    (".5", Fraction(1, 2)),
    ("+1", 1),
    ("-1", -1),
    ("-.5", Fraction(-1, 2)),
    ("+1.5Gi", 1_610_612_736),
    ("-1.5Gi", -1_610_612_736),
    ("00.000m", 0),
    ("-0", 0),
    ("0Gi", 0),
    # fractional binary quantities
    ("100.035Ki", Fraction(10_243_584, 100)),
    ("0.5Mi", 524_288),
    ("0.05Gi", Fraction(536_870_912, 10)),
    # rounded up to whole nanos, away from zero
    ("0.9n", Fraction(1, 1_000_000_000)),
    ("-0.9n", Fraction(-1, 1_000_000_000)),
    ("3.001n", Fraction(4, 1_000_000_000)),
    ("1.1E-9", Fraction(2, 1_000_000_000)),
    ("0.00000012345", Fraction(124, 1_000_000_000)),
    ("0.000000000001Ki", Fraction(2, 1_000_000_000)),
    ("1e-1000", Fraction(1, 1_000_000_000)),
    # binary magnitudes are capped at 2**63-1, decimal ones are not
    ("7Ei", 8_070_450_532_247_928_832),
    ("8Ei", INT64_MAX),
    ("9Ei", INT64_MAX),
    ("-9Ei", -INT64_MAX),
    ("9223372036854775807Ki", INT64_MAX),
    ("12E", 12_000_000_000_000_000_000),
    ("18446744073709551616", 18_446_744_073_709_551_616),
]


@pytest.mark.parametrize(("text", "value"), VALUES)
def test_exact_values(text, value):
    q = parse_quantity(text)
    assert q.value == value
    assert type(q.value) is Fraction
    assert (q.text, str(q)) == (text, text)


@pytest.mark.parametrize(("text", "value"), VALUES)
def test_model_agrees_with_hand_computed_values(text, value):
    assert model(text) == value


@pytest.mark.parametrize(
    ("text", "suffix"),
    [("1", ""), ("1Gi", "Gi"), ("1.3E+6", "E+6"), ("1e-3", "e-3"), ("1E", "E"), ("5n", "n")],
)
def test_suffix_is_kept_as_written(text, suffix):
    assert parse_quantity(text).suffix == suffix


def test_comparisons():
    q = parse_quantity
    assert q("1G") < q("1Gi")
    assert q("1Gi") > q("1G")
    assert q("1536Mi") == q("1.5Gi")
    assert q("1e9") == q("1G")
    assert q("500m") == q("0.5")
    assert q("0.9n") == q("1n")
    assert q("10000T") > q("100Gi")
    assert q("-1") < q("0") <= q("-0")
    assert hash(q("1536Mi")) == hash(q("1.5Gi"))
    assert len({q("1e9"), q("1G"), q("1000M"), q("1Gi")}) == 2
    assert sorted([q("1Gi"), q("1G"), q("953Mi")]) == [q("953Mi"), q("1G"), q("1Gi")]


def test_quantity_is_frozen_and_compares_by_value_only():
    q = parse_quantity("1")
    assert q == Quantity(10**9, "m", "1000m") and q.value == 1
    with pytest.raises(AttributeError):
        q.value = Fraction(2)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del q.text
    assert pickle.loads(pickle.dumps(q)) == q and str(pickle.loads(pickle.dumps(q))) == "1"
    assert q != 1
    with pytest.raises(TypeError):
        _ = q < 2  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("512m", True),
        ("1u", True),
        ("5n", True),
        ("512Mi", False),
        ("512M", False),
        ("0.5", False),
        ("1e-3", False),
    ],
)
def test_is_milli_memory(text, expected):
    assert is_milli_memory(parse_quantity(text)) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.2.3Gi", '"1.2.3Gi" is not a Kubernetes quantity: more than one decimal point'),
        ("1mi", '"1mi" is not a Kubernetes quantity: unknown suffix "mi" (did you mean "Mi"?)'),
        ("1Kii", '"1Kii" is not a Kubernetes quantity: unknown suffix "Kii"'),
        ("1KiB", '"1KiB" is not a Kubernetes quantity: unknown suffix "KiB" (did you mean "Ki"?)'),
        ("1K", '"1K" is not a Kubernetes quantity: unknown suffix "K" (did you mean "k"?)'),
        ("2mb", '"2mb" is not a Kubernetes quantity: unknown suffix "mb" (did you mean "M"?)'),
        ("", '"" is not a Kubernetes quantity: empty string'),
        ("1e", '"1e" is not a Kubernetes quantity: the exponent after "e" has no digits'),
        ("1e1.5", '"1e1.5" is not a Kubernetes quantity: the exponent must be a whole number'),
    ],
)
def test_error_messages(text, message):
    with pytest.raises(QuantityError) as info:
        parse_quantity(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (" 1", "whitespace"),
        ("1 ", "whitespace"),
        ("1 Gi", "whitespace"),
        ("\t1Gi", "whitespace"),
        ("1Gi\n", "whitespace"),
        ("1\u00a0Gi", "whitespace"),
        ("1.1.M", "more than one decimal point"),
        ("..5", "more than one decimal point"),
        ("Gi", "does not start with a number"),
        ("k", "does not start with a number"),
        ("e5", "does not start with a number"),
        (".", "does not start with a number"),
        ("+", "does not start with a number"),
        ("-.", "does not start with a number"),
        ("aoeu", "does not start with a number"),
        ("--1", "misplaced sign"),
        ("+-1", "misplaced sign"),
        ("1+1.0M", "misplaced sign"),
        ("1e+-5", "misplaced sign"),
        ("1Gi-", "misplaced sign"),
        ("-3.01e-", "has no digits"),
        ("1E+", 'after "E" has no digits'),
        ("1E1.", "whole number"),
        ("0.1am", 'unknown suffix "am"'),
        (".5i", 'unknown suffix "i"'),
        ("1i", 'unknown suffix "i"'),
        ("1Ki5", 'unknown suffix "Ki5"'),
        ("1Ee5", 'unknown suffix "Ee5"'),
        ("1e5x", 'unknown suffix "e5x"'),
        ("1B", 'unknown suffix "B"'),
        ("1%", 'unknown suffix "%"'),
        ("1_000", 'unknown suffix "_000"'),
        ("1\u0663", 'unknown suffix "\u0663"'),  # ARABIC-INDIC DIGIT THREE is not 0-9
        ("1e1001", "beyond +-1000"),
        ("1e-1001", "beyond +-1000"),
        ("1e9223372036854775808", "beyond +-1000"),
        ("1" * 1001, "more than 1000 digits"),
    ],
)
def test_rejections(text, reason):
    with pytest.raises(QuantityError, match=re.escape(reason)):
        parse_quantity(text)


@pytest.mark.parametrize("value", [1, 1.5, None, b"1Gi", ["1Gi"]])
def test_non_strings_raise_quantity_error(value):
    with pytest.raises(QuantityError, match="expected a string"):
        parse_quantity(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["1.2.3Gi", "1mi", "1Kii", "1Ki5", "1e", "1E+", "1i", "1K", ".", "..5", "1.1.M"]
)
def test_runai_pattern_is_looser_than_kubernetes(text):
    assert re.fullmatch(RUNAI_PATTERN, text)
    with pytest.raises(QuantityError):
        parse_quantity(text)


def _parse_or_none(text: str) -> Fraction | None:
    try:
        return parse_quantity(text).value
    except QuantityError:
        return None


digits = st.text("0123456789", max_size=4)
exponents = st.builds(
    "{}{}{}".format,
    st.sampled_from("eE"),
    st.sampled_from(["", "+", "-"]),
    st.text("0123", min_size=1, max_size=3),
)


@st.composite
def quantity_texts(draw) -> str:
    """A well-formed quantity: sign, digits, optional fraction, any suffix or exponent."""
    whole, frac = draw(digits), draw(st.none() | digits)
    if not whole and not frac:
        whole = "1"
    number = draw(st.sampled_from(["", "+", "-"])) + whole + ("" if frac is None else "." + frac)
    return number + draw(st.sampled_from(sorted(MULTIPLIER)) | exponents)


@given(quantity_texts())
def test_value_matches_model(text):
    assert model(text) is not None
    assert parse_quantity(text).value == model(text)


@given(
    st.text("0123456789.+-eEinumkKMGTPB ", max_size=8)
    | st.from_regex(RUNAI_PATTERN, fullmatch=True)
    | st.from_regex(STRICT, fullmatch=True)
)
def test_accepts_exactly_the_grammar(text):
    assert _parse_or_none(text) == model(text)


small = st.builds(
    "{}{}".format,
    st.sampled_from(["0", "1", "1.5", "512", "1024", "1536", "-1", ".5"]),
    st.sampled_from(["", "m", "k", "Ki", "M", "Mi", "G", "Gi", "e3", "E-3"]),
)


@given(small, small, small)
def test_ordering_is_a_total_order_consistent_with_the_model(a, b, c):
    qa, qb, qc = parse_quantity(a), parse_quantity(b), parse_quantity(c)
    assert (qa < qb, qa == qb, qa > qb).count(True) == 1
    assert (qa < qb) == (model(a) < model(b))
    assert (qa == qb) == (model(a) == model(b))
    if qa <= qb and qb <= qa:
        assert qa == qb and hash(qa) == hash(qb)
    if qa <= qb and qb <= qc:
        assert qa <= qc
