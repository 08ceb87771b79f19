"""The string formats nimlint checks, for jsonschema-rs (the fast path) and the test oracle.

The Run:ai 2.24 document names `hostname` (the readiness probe's `httpGet.host`), `uuid`
(workload and cluster ids) and `date-time` (`createdAt`, `updatedAt`, `deletedAt` of GET
responses). `int32`, `int64` and `double` are OpenAPI formats (their bounds are schema
bounds, see generate.py) and `.*` is no format: unknown formats check nothing.

`uuid` and `date-time` are the validators' own checks (jsonschema-rs and python-jsonschema
agree on them); `hostname` is ``is_hostname`` below, given to both, because
python-jsonschema checks hostnames only with the optional `fqdn` package. No check here or
in either validator resolves a name or opens a connection: a format is the shape of a
string, never whether it exists.
"""

from __future__ import annotations

import re

NAMED = ("hostname", "uuid", "date-time")  # the formats the Run:ai document names

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*", re.ASCII)
HOSTNAME_MAX_LENGTH = 253

# How each format reads in a message: "... is not {words}".
WORDS = {
    "hostname": "a hostname (RFC 1123: dot-separated labels of letters, digits and '-', "
    "each starting and ending with a letter or digit)",
    "uuid": "a UUID (32 hexadecimal digits grouped 8-4-4-4-12)",
    "date-time": "an RFC 3339 date-time (such as 2025-06-01T10:00:00Z)",
}


def is_hostname(value: str) -> bool:
    """An RFC 1123 host name (an IPv4 address is one too), without a trailing dot."""
    return len(value) <= HOSTNAME_MAX_LENGTH and _HOSTNAME.fullmatch(value) is not None


# Checks nimlint gives both validators in place of their own.
CHECKS = {"hostname": is_hostname}
