"""Python rules: environment variables (spec.environmentVariables)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nimlint.engine.context import Context, present
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem
from nimlint.k8s.names import env_var_name_errors, env_var_name_is_portable
from nimlint.messages import clip, field_name, show

RULES = RuleSet()

SOURCES = ("value", "secret", "configMap", "podFieldRef", "userCredential")
REFERENCE_FIELDS = {
    "secret": ("name", "key"),
    "configMap": ("name", "key"),
    "userCredential": ("name", "key"),
    "podFieldRef": ("path",),
}
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_SECRET_NAME = re.compile(r".+_(TOKEN|PASSWORD|SECRET|API_KEY)", re.IGNORECASE)
_VARIABLE_REFERENCE = r"\$\([^()]*\)"  # rarely needed: compiled by re on first use


def given_sources(entry: dict) -> list[str]:
    """The sources an entry sets, in SOURCES order; an empty ``value`` does not count."""
    return [s for s in SOURCES if (value := entry.get(s)) is not None and value != ""]


def config_key_errors(key: str) -> list[str]:
    """Why ``key`` is not a Secret/ConfigMap key (IsConfigMapKey); empty when it is one."""
    errors = []
    if not _CONFIG_KEY.fullmatch(key):
        errors.append("must consist of alphanumeric characters, '-', '_' or '.'")
    if key in (".", "..") or key.startswith(".."):
        errors.append("must not be '.' or '..' or start with '..'")
    return errors


def is_secret_name(name: str) -> bool:
    """Whether an env var name says it holds a credential (``*_TOKEN``, ``*_API_KEY``...)."""
    return bool(_SECRET_NAME.fullmatch(name))


@RULES.rule(
    "V002",
    name="env-name-invalid",
    severity="error",
    summary="An environment variable name has '=' or a non-printable or non-ASCII character.",
    bad="""
    spec:
      environmentVariables:
        - {name: "NIM_LOG_LEVEL=DEBUG", value: DEBUG}
    """,
    good="""
    spec:
      environmentVariables:
        - {name: NIM_LOG_LEVEL, value: DEBUG}
    """,
)
def name_invalid(ctx: Context) -> Iterator[Problem]:
    """Kubernetes rejects env var names with `=` or a character outside printable ASCII.

    The Run:ai document only says `name` is "The name of the environment variable.
    (mandatory)", 1 to 63 characters of any text. Kubernetes `ValidateEnv`
    (pkg/apis/core/validation/validation.go) checks it with `IsRelaxedEnvVarName` since the
    RelaxedEnvironmentVariableValidation gate (beta and on by default in 1.32, GA in 1.34):
    "a valid environment variable name must consist only of printable ASCII characters
    other than '='". Older clusters are stricter still (V003). A `=` would split the
    `NAME=value` pair; tabs, newlines and non-ASCII letters are rejected too.

    Entries with `exclude: true` never reach the pod and are skipped.
    """
    for pointer, entry in ctx.applied("/spec/environmentVariables"):
        name = entry.get("name")
        errors = env_var_name_errors(name) if isinstance(name, str) and name else []
        if errors:
            where = f"{pointer}/name"
            yield Problem(where, f"{field_name(where)} {show(name)} is invalid: {errors[0]}")


@RULES.rule(
    "V003",
    name="env-name-not-portable",
    severity="warning",
    summary="An environment variable name outside [-._a-zA-Z][-._a-zA-Z0-9]*, which only "
    "Kubernetes 1.32+ accepts.",
    bad="""
    spec:
      environmentVariables:
        - {name: "1ST_PASS", value: "true"}
    """,
    good="""
    spec:
      environmentVariables:
        - {name: FIRST_PASS, value: "true"}
    """,
)
def name_not_portable(ctx: Context) -> Iterator[Problem]:
    """Before Kubernetes 1.32 env var names had to match `[-._a-zA-Z][-._a-zA-Z0-9]*`.

    Kubernetes `ValidateEnv` used `IsEnvVarName` ("a valid environment variable name must
    consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a
    digit") until the RelaxedEnvironmentVariableValidation gate was turned on by default
    in 1.32; a cluster running 1.31 or older rejects a name such as `1ST_PASS` or
    `MY VAR`. Even where it is accepted, a shell cannot expand such a name, so NIM start
    scripts are unlikely to read it. Names that V002 already rejects are not reported.
    """
    for pointer, entry in ctx.applied("/spec/environmentVariables"):
        name = entry.get("name")
        if not isinstance(name, str) or not name or env_var_name_errors(name):
            continue
        if not env_var_name_is_portable(name):
            where = f"{pointer}/name"
            yield Problem(
                where,
                f"{field_name(where)} {show(name)} is rejected by Kubernetes before 1.32: "
                "use letters, digits, '_', '-' or '.', not starting with a digit or '..'",
            )


@RULES.rule(
    "V005",
    name="env-conflicting-sources",
    severity="error",
    summary="An environment variable sets more than one of value, secret, configMap, "
    "podFieldRef and userCredential.",
    bad="""
    spec:
      environmentVariables:
        - name: NGC_API_KEY
          value: nvapi-placeholder
          secret: {name: ngc-api-secret, key: NGC_API_KEY}
    """,
    good="""
    spec:
      environmentVariables:
        - name: NGC_API_KEY
          secret: {name: ngc-api-secret, key: NGC_API_KEY}
    """,
)
def conflicting_sources(ctx: Context) -> Iterator[Problem]:
    """An environment variable takes its value from exactly one place.

    The Run:ai document says of `value`: "The value of the environment variable.
    (mutually exclusive with secret, userCredential, configMap and podFieldRef)". The
    four references become the Kubernetes `valueFrom` sources, and Kubernetes rejects both
    a `valueFrom` with a non-empty value ("may not be specified when `value` is not
    empty") and one with several sources ("may not have more than one field specified at
    a time").

    An empty string `value` next to a reference is not reported: the document does not
    say whether it counts, and Kubernetes ignores an empty value when `valueFrom` is set.
    Entries with `exclude: true` are skipped. The first source in the order value, secret,
    configMap, podFieldRef, userCredential is kept; every other one is reported.
    """
    for pointer, entry in ctx.applied("/spec/environmentVariables"):
        sources = given_sources(entry)
        for source in sources[1:]:
            where = f"{pointer}/{source}"
            yield Problem(
                where,
                f"{field_name(where)} cannot be combined with {sources[0]}: set exactly one of "
                "value, secret, configMap, podFieldRef or userCredential",
                "key",
            )


@RULES.rule(
    "V006",
    name="env-no-value",
    severity="warning",
    summary="An environment variable has no value and no source.",
    bad="""
    spec:
      environmentVariables:
        - name: NIM_MAX_MODEL_LEN
    """,
    good="""
    spec:
      environmentVariables:
        - {name: NIM_MAX_MODEL_LEN, value: "8192"}
        - {name: NIM_SERVED_MODEL_NAME, value: ""}
        - {name: NIM_CACHE_PATH, exclude: true}
    """,
)
def no_value(ctx: Context) -> Iterator[Problem]:
    """An entry with only a name sets the variable to the empty string.

    The Run:ai document offers five ways to give a variable its value: `value`
    ("mutually exclusive with secret, userCredential, configMap and podFieldRef"),
    `secret`, `configMap`, `podFieldRef` and `userCredential`. Kubernetes accepts an env
    var with none of them and sets it to `""`, which is rarely what a name-only entry
    meant: the value was usually forgotten. Write `value: ""` to ask for an empty
    variable, or `exclude: true` to drop a variable that a policy default defines
    ("Use 'true' in case the environment variable is defined in defaults of the policy,
    and you wish to exclude it from the workload"); neither is reported.
    """
    for pointer, entry in ctx.applied("/spec/environmentVariables"):
        if not given_sources(entry) and not present(entry.get("value")):
            yield Problem(
                pointer,
                f'{field_name(pointer)} has no value: set value ("" for an empty string), '
                "secret, configMap, podFieldRef or userCredential",
                "key",
            )


@RULES.rule(
    "V007",
    name="env-reference-incomplete",
    severity="error",
    summary="A secret, configMap or userCredential lacks name or key, or a podFieldRef its path.",
    bad="""
    spec:
      environmentVariables:
        - name: NGC_API_KEY
          secret: {name: ngc-api-secret}
    """,
    good="""
    spec:
      environmentVariables:
        - name: NGC_API_KEY
          secret: {name: ngc-api-secret, key: NGC_API_KEY}
    """,
)
def reference_incomplete(ctx: Context) -> Iterator[Problem]:
    """A reference names the object and the key (or field) to read.

    The Run:ai document marks them mandatory: for `secret`, "The name of the secret
    resource. (mandatory)" and "The key in the secret resource. (mandatory)"; the same
    words for `configMap` ("The name of the config-map resource. (mandatory)", "The key
    in the config-map resource. (mandatory)") and `userCredential` ("The name of the user
    credential. (mandatory)", "The key in the user credential resource. (mandatory)");
    for `podFieldRef`, "The field path resource. (mandatory)". The document lists no
    `required` properties, so the schema layer does not report them. Kubernetes rejects
    the resulting `secretKeyRef`/`configMapKeyRef` without a name or key and a `fieldRef`
    without a `fieldPath` as well. Entries with `exclude: true` are skipped.
    """
    for pointer, entry in ctx.applied("/spec/environmentVariables"):
        for source, fields in REFERENCE_FIELDS.items():
            reference = entry.get(source)
            if not isinstance(reference, dict):
                continue
            where = f"{pointer}/{source}"
            for name in fields:
                if not present(reference.get(name)):
                    yield Problem(where, f"{field_name(where)} needs {name} (mandatory)", "key")


@RULES.rule(
    "V008",
    name="env-reference-key-invalid",
    severity="error",
    summary="A secret or configMap key is not a valid Kubernetes Secret/ConfigMap key.",
    bad="""
    spec:
      environmentVariables:
        - name: HF_TOKEN
          secret: {name: hf-secret, key: "hf token"}
    """,
    good="""
    spec:
      environmentVariables:
        - name: HF_TOKEN
          secret: {name: hf-secret, key: HF_TOKEN}
    """,
)
def reference_key_invalid(ctx: Context) -> Iterator[Problem]:
    """Secret and ConfigMap keys have a grammar; a key outside it cannot exist.

    The Run:ai document says only "The key in the secret resource. (mandatory)" and "The
    key in the config-map resource. (mandatory)", 1 to 63 characters of any text.
    Kubernetes validates the `secretKeyRef`/`configMapKeyRef` key with `IsConfigMapKey`
    (k8s.io/apimachinery pkg/util/validation): "a valid config key must consist of
    alphanumeric characters, '-', '_' or '.'", and it must not be `.` or `..` or start
    with `..`. The pod is rejected, and no Secret or ConfigMap could hold such a key
    anyway. `userCredential` keys are Run:ai's and are not checked. Entries with
    `exclude: true` are skipped.
    """
    for pointer, entry in ctx.applied("/spec/environmentVariables"):
        for source in ("secret", "configMap"):
            reference = entry.get(source)
            key = reference.get("key") if isinstance(reference, dict) else None
            errors = config_key_errors(key) if isinstance(key, str) and key else []
            if errors:
                where = f"{pointer}/{source}/key"
                yield Problem(where, f"{field_name(where)} {show(key)} {'; '.join(errors)}")


@RULES.rule(
    "V009",
    name="env-plaintext-secret",
    severity="warning",
    summary="A credential (an nvapi- or hf_ key, or a value of NGC_API_KEY, HF_TOKEN, *_TOKEN, "
    "*_PASSWORD, *_SECRET, *_API_KEY) is set as a plaintext value.",
    bad="""
    spec:
      environmentVariables:
        - {name: HF_TOKEN, value: hf_placeholder}
    """,
    good="""
    spec:
      environmentVariables:
        - name: HF_TOKEN
          secret: {name: hf-secret, key: HF_TOKEN}
    """,
)
def plaintext_secret(ctx: Context) -> Iterator[Problem]:
    """A `value` is stored and shown in plain text; credentials belong in a secret.

    The Run:ai document offers `secret` ("Details of the secret and key use to populate
    the environment variable") and `userCredential` ("a reference to a user-created
    credential [...] User credentials can only be accessed by the user who created
    them") for values that must not be in the spec, and `ngcAuthSecret` for the NGC key:
    "The name of a Kubernetes secret containing the NGC access credentials. The secret
    must contain a key named NGC_API_KEY with the API key as the value." A plaintext
    `value` is kept in the workload spec, returned by the API, and visible to everyone
    who can read the workload or its pods.

    Two signals, and the value is judged in both. A name that says credential
    (case-insensitive: `NGC_API_KEY`, `HF_TOKEN`, any name ending in `_TOKEN`,
    `_PASSWORD`, `_SECRET` or `_API_KEY`) is reported when its value could be one: not
    `true`/`false` (or yes/no/on/off), not a number, not short markup such as an LLM's
    special tokens (`EOS_TOKEN: "</s>"`, `BOS_TOKEN: "<|begin_of_text|>"`,
    `PAD_TOKEN: "[PAD]"`), common in NIM settings. A value shaped like an NGC API key
    (`nvapi-` and at least 20 more characters) or a Hugging Face token (`hf_` and at
    least 30 letters and digits) is reported whatever the variable is called. A long
    random-looking value alone is not: NIM settings are full of them
    (`NIM_MODEL_PROFILE` is a 64-character hash). An empty value and a value that is only
    a `$(OTHER_VAR)` reference are not reported. Entries with `exclude: true` are skipped.
    The message names the variable, never the value.
    """
    for pointer, entry in ctx.applied("/spec/environmentVariables"):
        name, value = entry.get("name"), entry.get("value")
        if not (isinstance(name, str) and isinstance(value, str)):
            continue
        known = re.fullmatch(_KNOWN_CREDENTIAL, value)
        if known or (is_secret_name(name) and _could_be_credential(value)):
            where = f"{pointer}/value"
            what = f"an {_KNOWN_KINDS[known.group(known.lastindex)]}" if known else clip(name)
            yield Problem(
                where,
                f"{field_name(where)} holds {what} in plain text: {_fix(name)}",
            )


# Values with the shape of a known credential: NGC API keys, Hugging Face access tokens.
_KNOWN_CREDENTIAL = r"(nvapi-)[-_A-Za-z0-9]{20,}|(hf_)[A-Za-z0-9]{30,}"  # re caches these
_KNOWN_KINDS = {"nvapi-": "NGC API key (nvapi-...)", "hf_": "Hugging Face token (hf_...)"}
# What a setting can hold that no credential is: booleans, numbers, short markup.
_NOT_CREDENTIALS = frozenset(["true", "false", "yes", "no", "on", "off", "none", "null"])
_NUMBER = r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"
_MARKUP = r"<[^<>]{0,30}>|\[[^\[\]]{0,30}\]|\{[^{}]{0,30}\}"


def _could_be_credential(value: str) -> bool:
    text = value.strip()
    return not (
        not text
        or text.lower() in _NOT_CREDENTIALS
        or re.fullmatch(_NUMBER, text)
        or re.fullmatch(_MARKUP, text)
        or re.fullmatch(_VARIABLE_REFERENCE, text)
    )


def _fix(name: str) -> str:
    """Where the credential ``name`` should come from instead."""
    if name.upper() == "NGC_API_KEY":
        return "reference a secret holding NGC_API_KEY (spec.ngcAuthSecret or secret: {name, key})"
    return "reference a Kubernetes secret (secret: {name, key}) or a userCredential"
