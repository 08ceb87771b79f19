"""Kubernetes name grammars: qualified names, label values, DNS labels, env var names.

Each ``*_errors`` function returns Kubernetes-style messages; an empty list means valid.
Lengths are counted in UTF-8 bytes, as Go's ``len`` does.

Sources followed (kubernetes/kubernetes, staging/src/k8s.io/apimachinery/):
``pkg/util/validation/validation.go`` (IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label,
IsEnvVarName, IsRelaxedEnvVarName, MaxLenError, RegexError, hasChDirPrefix),
``pkg/api/validate/content/kube.go`` (IsQualifiedName / IsLabelKey, IsLabelValue) and
``pkg/api/validation/objectmeta.go`` (TotalAnnotationSizeLimitB, ValidateAnnotationsSize).

Env var names: before Kubernetes 1.30, and in 1.30-1.31 by default, ``pkg/apis/core/
validation/validation.go`` ValidateEnv used the strict IsEnvVarName. The
RelaxedEnvironmentVariableValidation gate (alpha 1.30, beta and on by default 1.32, GA and
locked on 1.34) switches it to IsRelaxedEnvVarName: any printable ASCII except ``=``.
``env_var_name_errors`` checks the relaxed rule; ``env_var_name_is_portable`` the strict one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1035_LABEL_MAX_LENGTH = 63
QUALIFIED_NAME_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63
TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024

_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE_FMT = f"({_QNAME_FMT})?"
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, "
    "'-', '_' or '.', and must start and end with an alphanumeric character"
)
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT = rf"{_DNS1123_LABEL_FMT}(\.{_DNS1123_LABEL_FMT})*"
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character"
)
_ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_RELAXED_ENV_VAR_NAME_MSG = (
    "a valid environment variable name must consist only of printable ASCII characters "
    "other than '='"
)


def _compiled_on_first_use(fmt: str) -> Callable[[], re.Pattern]:
    """``fmt`` compiled by the first call: a run whose documents have none never compiles it,
    and later calls skip the lookup in re's own cache (labels are checked by the thousand)."""
    return cache(lambda: re.compile(fmt))


_QNAME_RE = _compiled_on_first_use(_QNAME_FMT)
_LABEL_VALUE_RE = _compiled_on_first_use(_LABEL_VALUE_FMT)
_DNS1123_LABEL_RE = _compiled_on_first_use(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = _compiled_on_first_use(_DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL_RE = re.compile(_DNS1035_LABEL_FMT)
_ENV_VAR_NAME_RE = re.compile(_ENV_VAR_NAME_FMT)
_RELAXED_ENV_VAR_NAME_RE = re.compile("[\x20-\x3c\x3e-\x7e]*")  # printable ASCII but '='


def _byte_len(value: str) -> int:
    # surrogatepass: JSON input can carry lone surrogates; count them rather than crash.
    return len(value.encode("utf-8", "surrogatepass"))


def _max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    shown = " or ".join(f"'{example}'" for example in examples)
    return f"{msg} (e.g. {shown}, regex used for validation is '{fmt}')"


def qualified_name_errors(value: str) -> list[str]:
    """Check a qualified name (label/annotation key, toleration key): ``[prefix/]name``."""
    if len(value) > _MAX_REMEMBERED_LENGTH:  # longer than any valid one: not kept
        return list(_qualified_name_errors.__wrapped__(value))
    return list(_qualified_name_errors(value))


# The same few keys (app.kubernetes.io/name...) come back in every file: their answers are
# kept, for keys no longer than a valid one can be (prefix, '/', name).
_MAX_REMEMBERED_LENGTH = DNS1123_SUBDOMAIN_MAX_LENGTH + 1 + QUALIFIED_NAME_MAX_LENGTH


@lru_cache(maxsize=4096)
def _qualified_name_errors(value: str) -> tuple[str, ...]:
    parts = value.split("/")
    if len(parts) > 2:
        return (
            "a qualified name "
            + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        )
    errs: list[str] = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + msg for msg in dns1123_subdomain_errors(prefix))
    name = parts[-1]
    if not name:
        errs.append("name part must be non-empty")
    elif _byte_len(name) > QUALIFIED_NAME_MAX_LENGTH:
        errs.append("name part " + _max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _QNAME_RE().fullmatch(name):
        errs.append(
            "name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
        )
    return tuple(errs)


def label_value_errors(value: str) -> list[str]:
    """Check a label value: empty, or a name part of at most 63 characters."""
    errs: list[str] = []
    if _byte_len(value) > LABEL_VALUE_MAX_LENGTH:
        errs.append(_max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE().fullmatch(value):
        errs.append(
            _regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
        )
    return errs


def dns1123_label_errors(value: str) -> list[str]:
    """Check an RFC 1123 label (most object names, container names): at most 63 characters."""
    errs: list[str] = []
    if _byte_len(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(_max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE().fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE().fullmatch(value):
            errs.append("must not contain dots")
        else:
            errs.append(_regex_error(_DNS1123_LABEL_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def dns1123_subdomain_errors(value: str) -> list[str]:
    """Check an RFC 1123 subdomain: dot-separated labels, at most 253 characters."""
    errs: list[str] = []
    if _byte_len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(_max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE().fullmatch(value):
        errs.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def dns1035_label_errors(value: str) -> list[str]:
    """Check an RFC 1035 label (e.g. Service names): starts with a letter, at most 63."""
    errs: list[str] = []
    if _byte_len(value) > DNS1035_LABEL_MAX_LENGTH:
        errs.append(_max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errs.append(_regex_error(_DNS1035_LABEL_MSG, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def env_var_name_errors(value: str) -> list[str]:
    """Check an env var name as current Kubernetes (1.32+ default, 1.34 GA) rejects it."""
    if not value:
        return ["environment variable name must be non-empty"]
    if not _RELAXED_ENV_VAR_NAME_RE.fullmatch(value):
        return [_RELAXED_ENV_VAR_NAME_MSG]
    return []


def env_var_name_is_portable(value: str) -> bool:
    """Whether ``value`` passes the strict pre-1.32 rule (IsEnvVarName), as old clusters need."""
    return bool(_ENV_VAR_NAME_RE.fullmatch(value)) and value != "." and not value.startswith("..")


def annotations_size(pairs: Iterable[tuple[str, str]]) -> int:
    """Total annotation size: the sum of key and value lengths in bytes (limit 256 KiB)."""
    return sum(_byte_len(key) + _byte_len(value) for key, value in pairs)
