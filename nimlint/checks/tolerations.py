"""Python rules: tolerations, as Kubernetes ValidateTolerations checks them."""

from __future__ import annotations

from collections.abc import Iterator

from nimlint.engine.context import Context
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem
from nimlint.k8s.names import label_value_errors, qualified_name_errors
from nimlint.messages import field_name, show

RULES = RuleSet()


MANDATORY = {
    "key": 'the taint key; key "" with operator Exists tolerates every taint',
    "operator": "Equal or Exists",
    "effect": "NoSchedule, PreferNoSchedule, NoExecute or Any (every effect)",
}


@RULES.rule(
    "T001",
    name="toleration-missing-field",
    severity="error",
    summary="A toleration lacks key, operator or effect, which Run:ai marks mandatory.",
    bad="""
    spec:
      tolerations:
        - {name: gpu, key: nvidia.com/gpu, operator: Exists}
    """,
    good="""
    spec:
      tolerations:
        - {name: gpu, key: nvidia.com/gpu, operator: Exists, effect: Any}
        - {name: spot, exclude: true}
    """,
)
def missing_field(ctx: Context) -> Iterator[Problem]:
    """Run:ai marks `key`, `operator` and `effect` mandatory.

    The Run:ai document says of `key`: "The taint key that the toleration applies to.
    (mandatory)"; of `operator`: "A key's relationship to the value. [...] (mandatory)";
    of `effect`: "The taint effect to match. (mandatory)". It lists none of them under
    `required`, so the schema layer does not report them; this rule does.

    Kubernetes would default all three (an empty key matches every taint key, an empty
    operator means `Equal`, an empty effect matches every effect), but Run:ai's enum
    spells the last case out: `effect: Any`, which Kubernetes does not have. nimlint
    accepts `Any` and reads it as Kubernetes' empty effect (so `seconds` is not allowed
    with it, T006). Run:ai's `key` has no minimum length, so `key: ""` with
    `operator: Exists` is how a workload tolerates every taint (T002).

    nimlint takes "(mandatory)" at its word and reports an error. Where a Run:ai version
    turns out to accept a missing field, turn this rule off: T002 still reports the
    combinations Kubernetes rejects.

    An entry with `exclude: true` only names a policy default to drop (the document,
    with wording copied from labels: "Use 'true' in case the label is defined in
    defaults of the policy, and you wish to exclude it from the workload"), so it needs
    none of the three.
    """
    for pointer, toleration in ctx.applied("/spec/tolerations"):
        for name, expected in MANDATORY.items():
            if toleration.get(name) is None:
                message = f"{field_name(pointer)} needs {name} (mandatory in Run:ai): {expected}"
                yield Problem(pointer, message, "key")


@RULES.rule(
    "T002",
    name="toleration-empty-key-needs-exists",
    severity="error",
    summary="A toleration with an empty or missing key must use operator Exists.",
    bad="""
    spec:
      tolerations:
        - {name: all, key: "", operator: Equal, value: gpu, effect: NoSchedule}
    """,
    good="""
    spec:
      tolerations:
        - {name: all, key: "", operator: Exists, effect: Any}
    """,
)
def empty_key_needs_exists(ctx: Context) -> Iterator[Problem]:
    """An empty key matches every taint key, which only makes sense with `Exists`.

    Kubernetes `ValidateTolerations` (pkg/apis/core/validation/validation.go) rejects an
    empty key with any other operator, including the default (an empty operator means
    `Equal`): 'operator must be Exists when `key` is empty, which means "match all
    values and all keys"'.

    The Run:ai document marks `key` "(mandatory)" (T001) but gives it no minimum length,
    so `key: ""` with `operator: Exists` is how a workload tolerates every taint. This
    rule reports an empty or missing key with another or no operator even when T001 also
    reports the missing key, so that it still holds where T001 is turned off.
    """
    for pointer, toleration in ctx.applied("/spec/tolerations"):
        operator = toleration.get("operator")
        if toleration.get("key") not in (None, "") or operator == "Exists":
            continue
        if isinstance(operator, str):
            where = f"{pointer}/operator"
            yield Problem(
                where,
                f"{field_name(where)} must be Exists when key is empty (an empty key matches "
                f"every taint key); got {show(operator)}",
            )
        elif operator is None:
            yield Problem(
                pointer, f"{field_name(pointer)} needs operator Exists when key is empty", "key"
            )


@RULES.rule(
    "T004",
    name="toleration-key-invalid",
    severity="error",
    summary="A toleration key is not a qualified name ([prefix/]name), so Kubernetes rejects it.",
    bad="""
    spec:
      tolerations:
        - {name: gpu, key: "nvidia.com/gpu type", operator: Exists, effect: NoSchedule}
    """,
    good="""
    spec:
      tolerations:
        - {name: gpu, key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
    """,
)
def key_invalid(ctx: Context) -> Iterator[Problem]:
    """A taint key has the grammar of a label key.

    The Run:ai document only says `key` is "The taint key that the toleration applies
    to" (at most 253 characters, any text). Kubernetes `ValidateTolerations` validates a
    non-empty key with `ValidateLabelName`, that is `IsQualifiedName`: an optional DNS
    subdomain prefix and `/`, then a name of at most 63 alphanumeric characters, `-`, `_`
    or `.`, starting and ending with an alphanumeric character. A key such as
    `nvidia.com/gpu` passes; one with spaces, two slashes or a 64-character name does
    not, and the pod is rejected. (Node taints use the same grammar, so no taint could
    match such a key anyway.)
    """
    for pointer, toleration in ctx.applied("/spec/tolerations"):
        key = toleration.get("key")
        errors = qualified_name_errors(key) if isinstance(key, str) and key else []
        if errors:
            where = f"{pointer}/key"
            yield Problem(
                where,
                f"{field_name(where)} {show(key)} is not a valid taint key: {'; '.join(errors)}",
            )


@RULES.rule(
    "T005",
    name="toleration-value-invalid",
    severity="error",
    summary="A toleration value (operator Equal) is not a valid label value.",
    bad="""
    spec:
      tolerations:
        - {name: pool, key: pool, operator: Equal, value: "inference pool", effect: NoSchedule}
    """,
    good="""
    spec:
      tolerations:
        - {name: pool, key: pool, operator: Equal, value: inference-pool, effect: NoSchedule}
    """,
)
def value_invalid(ctx: Context) -> Iterator[Problem]:
    """With `Equal`, the value is matched against a taint value, which is a label value.

    The Run:ai document says of `value`: "The taint value the toleration matches to"
    (at most 10000 characters, any text). Kubernetes `ValidateTolerations` checks it with
    `IsValidLabelValue` when the operator is `Equal` or empty ("empty operator means
    Equal"): empty, or at most 63 alphanumeric characters, `-`, `_` or `.`, starting and
    ending with an alphanumeric character. Anything else is rejected. With `Exists` the
    value must be empty instead (T003).
    """
    for pointer, toleration in ctx.applied("/spec/tolerations"):
        value = toleration.get("value")
        if toleration.get("operator") not in (None, "Equal") or not isinstance(value, str):
            continue
        errors = label_value_errors(value)
        if errors:
            where = f"{pointer}/value"
            yield Problem(
                where,
                f"{field_name(where)} {show(value)} is not a valid taint value: "
                f"{'; '.join(errors)}",
            )
