"""Container image references: ``[domain/]path[:tag][@digest]``.

Sources followed: distribution/reference ``regexp.go`` (grammar), ``reference.go`` (Parse,
error wording) and ``normalize.go`` (ParseNormalizedNamed, splitDockerDomain: how the first
component is told apart from a path, the lowercase rule, the 64-hex identifier rule);
opencontainers/go-digest ``digest.go`` and ``algorithm.go`` (digest validation). The 255
character limit applies to the normalized name (``docker.io/library/ubuntu`` for ``ubuntu``),
as in containerd's ``reference/docker`` copy; distribution/reference v0.6 limits only the path.
Where docker only says "invalid reference format", the reason names the failing part.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from nimlint.messages import MAX_QUOTED, show

NAME_TOTAL_LENGTH_MAX = 255
DEFAULT_REGISTRY = "docker.io"
_LEGACY_DEFAULT_REGISTRY = "index.docker.io"

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"

_DOMAIN_RE = re.compile(rf"{_HOST}(?::[0-9]+)?")
_PATH_RE = re.compile(rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
_TAG_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
# Digests are rare in NIM specs: these two are compiled (and cached by re) on first use.
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_IDENTIFIER_RE = re.compile(r"[a-f0-9]{64}")
_LOWER_HEX = r"[a-f0-9]+"
_HEX_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}


def _quoted(text: str) -> str:
    return show(text, MAX_QUOTED)


class ImageReferenceError(ValueError):
    """An image reference that a container runtime would refuse; the message says why."""


class ImageReference(NamedTuple):
    """A parsed image reference, fields as written (no ``library/`` or default tag added)."""

    domain: str | None
    path: str
    tag: str | None
    digest: str | None

    @property
    def registry(self) -> str:
        """The registry pulled from: the domain, or ``docker.io`` when there is none."""
        if self.domain is None or self.domain == _LEGACY_DEFAULT_REGISTRY:
            return DEFAULT_REGISTRY
        return self.domain

    def __str__(self) -> str:
        text = self.path if self.domain is None else f"{self.domain}/{self.path}"
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def _split_domain(name: str) -> tuple[str | None, str]:
    """Split off the first component if docker would take it for a registry domain."""
    first, sep, rest = name.partition("/")
    if sep and (first == "localhost" or any(c in first for c in ".:") or first != first.lower()):
        return first, rest
    return None, name


def _check_digest(digest: str) -> None:
    if not re.fullmatch(_DIGEST, digest):
        raise ImageReferenceError(f"invalid digest {_quoted(digest)}: expected algorithm:hex")
    algorithm, _, encoded = digest.partition(":")
    length = _HEX_LENGTHS.get(algorithm)
    if length is None:
        raise ImageReferenceError(f"unsupported digest algorithm {_quoted(algorithm)}")
    if len(encoded) != length or not re.fullmatch(_LOWER_HEX, encoded):
        raise ImageReferenceError(
            f"invalid digest {_quoted(digest)}: {algorithm} needs {length} lowercase hex characters"
        )


def _normalized_name(domain: str | None, path: str) -> str:
    registry = DEFAULT_REGISTRY if domain in (None, _LEGACY_DEFAULT_REGISTRY) else domain
    if registry == DEFAULT_REGISTRY and "/" not in path:
        path = f"library/{path}"
    return f"{registry}/{path}"


@lru_cache(maxsize=4096)
def parse_image_reference(text: str) -> ImageReference:
    """Parse ``text`` as docker and containerd do; raise ImageReferenceError if invalid."""
    if not text:
        raise ImageReferenceError("repository name must have at least one component")
    if _IDENTIFIER_RE.fullmatch(text):
        raise ImageReferenceError("repository name cannot be a 64-character hexadecimal string")
    name_tag, at, digest = text.partition("@")
    domain, remainder = _split_domain(name_tag)
    path, colon, tag = remainder.partition(":")
    if path != path.lower():
        raise ImageReferenceError("repository name must be lowercase")
    if domain is not None and not _DOMAIN_RE.fullmatch(domain):
        raise ImageReferenceError(
            f"invalid reference format: bad registry domain {_quoted(domain)}"
        )
    if not _PATH_RE.fullmatch(path):
        raise ImageReferenceError(
            f"invalid reference format: bad repository path {_quoted(path)} (use lowercase letters "
            "and digits, separated by '.', '_', '__', '-' or '/')"
        )
    if colon and not _TAG_RE.fullmatch(tag):
        raise ImageReferenceError(
            f"invalid tag {_quoted(tag)}: use up to 128 letters, digits, '_', '.' or '-', "
            "not starting with '.' or '-'"
        )
    if at:
        _check_digest(digest)
    if len(_normalized_name(domain, path)) > NAME_TOTAL_LENGTH_MAX:
        raise ImageReferenceError(
            f"name too long: repository name must not be more than {NAME_TOTAL_LENGTH_MAX} "
            "characters"
        )
    return ImageReference(
        domain=domain,
        path=path,
        tag=tag if colon else None,
        digest=digest if at else None,
    )
