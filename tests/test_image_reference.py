"""Image reference parsing: real-world references, docker's failures, and the grammar."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nimlint.k8s.image import ImageReference, ImageReferenceError, parse_image_reference

SHA = "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3",
            ImageReference("nvcr.io", "nim/meta/llama-3.1-8b-instruct", "1.3.3", None),
        ),
        (
            "nvcr.io/nim/nvidia/nv-embedqa-e5-v5:1.0.1",
            ImageReference("nvcr.io", "nim/nvidia/nv-embedqa-e5-v5", "1.0.1", None),
        ),
        (
            f"localhost:5000/foo/bar@sha256:{SHA}",
            ImageReference("localhost:5000", "foo/bar", None, f"sha256:{SHA}"),
        ),
        ("ubuntu", ImageReference(None, "ubuntu", None, None)),
        (
            "registry.example.com:443/a/b:latest",
            ImageReference("registry.example.com:443", "a/b", "latest", None),
        ),
        ("a/b-c__d.e:tag", ImageReference(None, "a/b-c__d.e", "tag", None)),
        ("library/ubuntu:22.04", ImageReference(None, "library/ubuntu", "22.04", None)),
        ("localhost/x", ImageReference("localhost", "x", None, None)),
        ("localhost:5000", ImageReference(None, "localhost", "5000", None)),
        ("[::1]:5000/x:V1_a", ImageReference("[::1]:5000", "x", "V1_a", None)),
        ("192.168.1.1/x", ImageReference("192.168.1.1", "x", None, None)),
        ("UPPER/x", ImageReference("UPPER", "x", None, None)),
        ("a---b/c", ImageReference(None, "a---b/c", None, None)),
        (
            f"nvcr.io/nim/x:1.0@sha256:{SHA}",
            ImageReference("nvcr.io", "nim/x", "1.0", f"sha256:{SHA}"),
        ),
        ("x@sha512:" + "0" * 128, ImageReference(None, "x", None, "sha512:" + "0" * 128)),
        ("x:" + "t" * 128, ImageReference(None, "x", "t" * 128, None)),
    ],
)
def test_valid_references(text, expected):
    parsed = parse_image_reference(text)
    assert parsed == expected
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Nvcr.io/nim/Meta/Llama:1", "repository name must be lowercase"),
        ("Ubuntu", "repository name must be lowercase"),
        ("nvcr.io/nim/llama:", 'invalid tag ""'),
        ("x:v1:2", 'invalid tag "v1:2"'),
        ("x:tag with space", 'invalid tag "tag with space"'),
        ("x:" + "t" * 129, 'invalid tag "' + "t" * 129),
        ("x:.hidden", 'invalid tag ".hidden"'),
        ("x:-dash", 'invalid tag "-dash"'),
        ("x:vé", 'invalid tag "vé"'),
        ("nvcr.io//x", "invalid reference format"),
        ("nvcr.io/x/", "invalid reference format"),
        ("-leading", "invalid reference format"),
        ("a..b", "invalid reference format"),
        ("a___b", "invalid reference format"),
        ("a/b c", "invalid reference format"),
        (" ubuntu", "invalid reference format"),
        ("ubuntu\n", "invalid reference format"),
        ("exa_mple.com/x", "invalid reference format"),
        ("host:port/x", "invalid reference format"),
        ("@sha256:" + SHA, "invalid reference format"),
        ("foo@sha256:short", 'invalid digest "sha256:short"'),
        ("foo@", 'invalid digest ""'),
        ("foo@sha256:" + SHA.upper(), "invalid digest"),
        ("foo@sha256:" + SHA + "0", "invalid digest"),
        ("foo@sha256:" + SHA + "@x", "invalid digest"),
        ("foo@md5:" + "0" * 32, 'unsupported digest algorithm "md5"'),
        ("", "repository name must have at least one component"),
        (SHA, "cannot be a 64-character hexadecimal string"),
        ("a" * 238, "name too long"),  # checked as docker.io/library/aaa..., 256 characters
        ("a/" + "a" * 244, "name too long"),  # docker.io/a/aaa..., 256 characters
        ("nvcr.io/" + "a" * 248, "name too long"),
    ],
)
def test_invalid_references(text, reason):
    with pytest.raises(ImageReferenceError, match=re.escape(reason)):
        parse_image_reference(text)


def test_longest_names_are_accepted():
    assert parse_image_reference("nvcr.io/" + "a" * 247 + ":1").path == "a" * 247
    assert parse_image_reference("a" * 237).path == "a" * 237  # docker.io/library/ + 237
    assert parse_image_reference("a/" + "a" * 243).path == "a/" + "a" * 243


def test_image_reference_error_is_a_value_error():
    assert issubclass(ImageReferenceError, ValueError)


@pytest.mark.parametrize(
    ("text", "registry"),
    [
        ("ubuntu", "docker.io"),
        ("nvidia/cuda:12.4.0-base-ubuntu22.04", "docker.io"),
        ("docker.io/library/ubuntu", "docker.io"),
        ("index.docker.io/library/ubuntu", "docker.io"),
        ("nvcr.io/nim/meta/llama3-8b-instruct:1.0.0", "nvcr.io"),
        ("localhost/x", "localhost"),
        ("localhost:5000/x", "localhost:5000"),
        ("gcr.io/x", "gcr.io"),
        ("Registry/x", "Registry"),
    ],
)
def test_registry(text, registry):
    assert parse_image_reference(text).registry == registry


# --- generated from the distribution/reference grammar ---------------------------------

_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
_MIXED = _LOWER + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_HEX = "0123456789abcdef"
_ALNUM = st.text(_LOWER, min_size=1, max_size=6)
_SEPARATOR = st.sampled_from([".", "_", "__", "-", "--", "---"])
_PATH_COMPONENT = st.builds(
    lambda first, rest: first + "".join(sep + atom for sep, atom in rest),
    _ALNUM,
    st.lists(st.tuples(_SEPARATOR, _ALNUM), max_size=3),
)
_PATH = st.lists(_PATH_COMPONENT, min_size=1, max_size=4).map("/".join)
_DOMAIN_COMPONENT = st.one_of(
    st.text(_MIXED, min_size=1, max_size=1),
    st.builds(
        lambda a, middle, b: a + middle + b,
        st.text(_MIXED, min_size=1, max_size=1),
        st.text(_MIXED + "-", max_size=8),
        st.text(_MIXED, min_size=1, max_size=1),
    ),
)
_PORT = st.one_of(st.just(""), st.integers(0, 65535).map(lambda port: f":{port}"))
_IPV6 = st.builds(
    lambda a, b: f"[{a}:{b}]", st.text(_HEX, max_size=4), st.text(_HEX + ":", max_size=8)
)
_DOMAIN = st.one_of(
    st.builds(lambda port: "localhost" + port, _PORT),
    st.builds(
        lambda parts, port: ".".join(parts) + port,
        st.lists(_DOMAIN_COMPONENT, min_size=2, max_size=4),
        _PORT,
    ),
    st.builds(lambda host, port: f"{host}:{port}", _DOMAIN_COMPONENT, st.integers(0, 65535)),
    st.builds(lambda host, port: host + port, _IPV6, _PORT),
)
_TAG = st.builds(
    lambda first, rest: first + rest,
    st.text(_MIXED + "_", min_size=1, max_size=1),
    st.text(_MIXED + "_.-", max_size=127),
)
_DIGEST = st.one_of(
    st.text(_HEX, min_size=64, max_size=64).map(lambda hex_: f"sha256:{hex_}"),
    st.text(_HEX, min_size=128, max_size=128).map(lambda hex_: f"sha512:{hex_}"),
)


@given(
    st.one_of(st.none(), _DOMAIN),
    _PATH,
    st.one_of(st.none(), _TAG),
    st.one_of(st.none(), _DIGEST),
)
def test_grammar_references_parse_and_round_trip(domain, path, tag, digest):
    first = path.split("/")[0]
    if domain is None and "/" in path:
        assume("." not in first and first != "localhost")  # docker would read it as a domain
    expected = ImageReference(domain, path, tag, digest)
    text = str(expected)
    parsed = parse_image_reference(text)
    assert parsed == expected
    rebuilt = (
        (f"{parsed.domain}/" if parsed.domain else "")
        + parsed.path
        + (f":{parsed.tag}" if parsed.tag is not None else "")
        + (f"@{parsed.digest}" if parsed.digest is not None else "")
    )
    assert rebuilt == text


# distribution/reference's ReferenceRegexp, transcribed independently of the module.
_REFERENCE_RE = re.compile(
    r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
    r"(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
)


@given(st.text("aZ0.-_:/@ ", max_size=30))
def test_arbitrary_text_is_accepted_only_within_the_grammar(text):
    try:
        parsed = parse_image_reference(text)
    except ImageReferenceError as error:
        assert str(error)
    else:
        assert _REFERENCE_RE.fullmatch(text)
        assert str(parsed) == text


@given(st.text(st.characters(max_codepoint=0x3FF), max_size=40))
def test_parser_raises_only_image_reference_error(text):
    with contextlib.suppress(ImageReferenceError):
        parse_image_reference(text)
