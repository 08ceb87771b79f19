"""Kubernetes name grammars, checked against cases from apimachinery's validation tests."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nimlint.k8s.names import (
    TOTAL_ANNOTATION_SIZE_LIMIT_B,
    annotations_size,
    dns1035_label_errors,
    dns1123_label_errors,
    dns1123_subdomain_errors,
    env_var_name_errors,
    env_var_name_is_portable,
    label_value_errors,
    qualified_name_errors,
)

LABEL_63 = "a" * 63
LABEL_64 = "a" * 64
SUBDOMAIN_253 = ".".join(["a" * 63] * 3 + ["a" * 61])
SUBDOMAIN_254 = SUBDOMAIN_253 + "a"


def test_boundary_fixtures_have_the_intended_lengths():
    assert (len(SUBDOMAIN_253), len(SUBDOMAIN_254)) == (253, 254)


@pytest.mark.parametrize(
    "value",
    [
        "simple",
        "now-with-dashes",
        "1-starts-with-num",
        "1234",
        "simple/simple",
        "now-with-dashes/simple",
        "now.with.dots/simple",
        "1-num.2-num/3-num",
        "1.2.3.4/5678",
        "Uppercase_Is_OK_123",
        "example.com/Uppercase_Is_OK_123",
        "nvidia.com/gpu",
        "run.ai/priority-class",
        "a",
        LABEL_63,
        "prefix/" + LABEL_63,
        SUBDOMAIN_253 + "/a",
    ],
)
def test_qualified_name_valid(value):
    assert qualified_name_errors(value) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "name part must be non-empty"),
        ("nospecialchars%^=@", "name part must consist"),
        ("cantendwithadash-", "name part must consist"),
        ("-cantstartwithadash", "name part must consist"),
        ("only/one/slash", "a qualified name must consist"),
        ("Example.com/abc", "prefix part a lowercase RFC 1123 subdomain"),
        ("example_com/abc", "prefix part a lowercase RFC 1123 subdomain"),
        ("example.com/", "name part must be non-empty"),
        ("/simple", "prefix part must be non-empty"),
        (LABEL_64, "name part must be no more than 63 characters"),
        ("prefix/" + LABEL_64, "name part must be no more than 63 characters"),
        (SUBDOMAIN_254 + "/a", "prefix part must be no more than 253 characters"),
        ("simple\n", "name part must consist"),
    ],
)
def test_qualified_name_invalid(value, expected):
    errors = qualified_name_errors(value)
    assert any(error.startswith(expected) for error in errors), errors


@pytest.mark.parametrize("value", ["", "simple", "now-with-dashes", "1234", "A_b.C-9", LABEL_63])
def test_label_value_valid(value):
    assert label_value_errors(value) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (LABEL_64, "must be no more than 63 characters"),
        ("nospecialchars%^=@", "a valid label must be an empty string"),
        ("Tama-nui-te-rā.is.Māori.sun", "a valid label must be an empty string"),
        ("\\backslashes\\are\\bad", "a valid label must be an empty string"),
        ("-starts-with-dash", "a valid label must be an empty string"),
        ("ends-with-dash-", "a valid label must be an empty string"),
        (".starts.with.dot", "a valid label must be an empty string"),
        ("has/slash", "a valid label must be an empty string"),
    ],
)
def test_label_value_invalid(value, expected):
    errors = label_value_errors(value)
    assert any(error.startswith(expected) for error in errors), errors


@pytest.mark.parametrize(
    "value", ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", LABEL_63]
)
def test_dns1123_label_valid(value):
    assert dns1123_label_errors(value) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "a lowercase RFC 1123 label"),
        ("A", "a lowercase RFC 1123 label"),
        ("ABC", "a lowercase RFC 1123 label"),
        ("-", "a lowercase RFC 1123 label"),
        ("a-", "a lowercase RFC 1123 label"),
        ("-a", "a lowercase RFC 1123 label"),
        ("a_b", "a lowercase RFC 1123 label"),
        ("a.b", "must not contain dots"),
        ("a b", "a lowercase RFC 1123 label"),
        (LABEL_64, "must be no more than 63 characters"),
    ],
)
def test_dns1123_label_invalid(value, expected):
    errors = dns1123_label_errors(value)
    assert any(error.startswith(expected) for error in errors), errors


def test_dns1123_label_regex_message_names_the_regex():
    (message,) = dns1123_label_errors("A")
    assert "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'" in message


@pytest.mark.parametrize(
    "value", ["a", "a.b.c.d.e", "aaaaa.bbbbb.ccccc", "a1.b-2.c--3", "11.22.33", SUBDOMAIN_253]
)
def test_dns1123_subdomain_valid(value):
    assert dns1123_subdomain_errors(value) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "a lowercase RFC 1123 subdomain"),
        ("A.b", "a lowercase RFC 1123 subdomain"),
        ("a..b", "a lowercase RFC 1123 subdomain"),
        (".a", "a lowercase RFC 1123 subdomain"),
        ("a.", "a lowercase RFC 1123 subdomain"),
        ("a.-b", "a lowercase RFC 1123 subdomain"),
        ("a_b.c", "a lowercase RFC 1123 subdomain"),
        (SUBDOMAIN_254, "must be no more than 253 characters"),
    ],
)
def test_dns1123_subdomain_invalid(value, expected):
    errors = dns1123_subdomain_errors(value)
    assert any(error.startswith(expected) for error in errors), errors


@pytest.mark.parametrize("value", ["a", "ab", "a1", "a-1", "a--1--2--b", "nim-llama", LABEL_63])
def test_dns1035_label_valid(value):
    assert dns1035_label_errors(value) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "a DNS-1035 label"),
        ("0", "a DNS-1035 label"),
        ("1a", "a DNS-1035 label"),
        ("A", "a DNS-1035 label"),
        ("a-", "a DNS-1035 label"),
        ("a.b", "a DNS-1035 label"),
        (LABEL_64, "must be no more than 63 characters"),
    ],
)
def test_dns1035_label_invalid(value, expected):
    errors = dns1035_label_errors(value)
    assert any(error.startswith(expected) for error in errors), errors


# Relaxed rule: cases from apimachinery's TestIsRelaxedEnvVarName.
@pytest.mark.parametrize(
    "value",
    [
        *("-", ":", "_", "+a", ">a", "a.", "a..", "*a", "%a", "a:a", "~a", "/a", "a ", "0a"),
        *("0 a", "'a", "(a", "@a", "NIM_CACHE_PATH", "my.env-name", ".", ".."),
    ],
)
def test_env_var_name_accepted_by_current_kubernetes(value):
    assert env_var_name_errors(value) == []


RELAXED_MESSAGE = (
    "a valid environment variable name must consist only of printable ASCII characters "
    "other than '='"
)


def test_empty_env_var_name_is_rejected():
    assert env_var_name_errors("") == ["environment variable name must be non-empty"]


@pytest.mark.parametrize("value", ["=", "a=b", "\x01abc", "\x7fabc", "Ç ç", "tab\there", "A\n"])
def test_env_var_name_rejected_by_current_kubernetes(value):
    assert env_var_name_errors(value) == [RELAXED_MESSAGE]


@pytest.mark.parametrize(
    "value", ["A", "ABC", "AbC_123", "abc", "a.b", "a-b", "_A", ".a", "-a", "NIM_MODEL_NAME"]
)
def test_env_var_name_portable(value):
    assert env_var_name_is_portable(value)


@pytest.mark.parametrize(
    "value", ["", "1", "1ABC", "a b", "a:b", "a=b", "é", ".", "..", "..a", "A\n"]
)
def test_env_var_name_not_portable(value):
    assert not env_var_name_is_portable(value)


_PRINTABLE_NO_EQUALS = st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="=")


@given(st.text(_PRINTABLE_NO_EQUALS, min_size=1))
def test_any_printable_ascii_name_without_equals_is_accepted(value):
    assert env_var_name_errors(value) == []


@given(st.text(st.characters(max_codepoint=0x3FF), min_size=1))
def test_portable_names_are_a_subset_of_accepted_names(value):
    if env_var_name_is_portable(value):
        assert env_var_name_errors(value) == []
    if re.search(r"[^\x20-\x7e]|=", value):
        assert env_var_name_errors(value) != []


def test_annotations_size_counts_key_and_value_bytes():
    assert annotations_size([]) == 0
    assert annotations_size([("a", "bc"), ("run.ai/x", "")]) == 3 + 8
    assert annotations_size([("k", "é")]) == 3  # 'é' is two bytes in UTF-8
    assert annotations_size({"a": "b" * 10}.items()) == 11
    assert annotations_size([("k", "\ud800")]) == 4  # a lone surrogate from JSON: no crash


def test_annotation_size_limit_is_256_kib():
    assert TOTAL_ANNOTATION_SIZE_LIMIT_B == 262144
    at_limit = [("a", "b" * (TOTAL_ANNOTATION_SIZE_LIMIT_B - 1))]
    assert annotations_size(at_limit) == TOTAL_ANNOTATION_SIZE_LIMIT_B


@given(st.text(max_size=400))
def test_a_kept_qualified_name_answer_is_the_same_and_not_shared(value):
    first = qualified_name_errors(value)
    first.append("changed by a caller")  # a caller's list: the kept answer is untouched
    from nimlint.k8s import names

    assert qualified_name_errors(value) == list(names._qualified_name_errors.__wrapped__(value))
    assert qualified_name_errors(value) == first[:-1]


def test_only_keys_no_longer_than_a_valid_one_are_kept():
    from nimlint.k8s import names

    long = "a" * (names._MAX_REMEMBERED_LENGTH + 1)
    before = names._qualified_name_errors.cache_info().currsize
    assert qualified_name_errors(long) == qualified_name_errors(long)
    assert names._qualified_name_errors.cache_info().currsize == before
