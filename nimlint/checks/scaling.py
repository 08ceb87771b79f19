"""Python rules: scaling (A...). The declarative ones are in rules/scaling.yaml."""

from __future__ import annotations

from collections.abc import Iterator

from nimlint.engine.context import Context, as_int, present
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem

RULES = RuleSet()

AUTOSCALING = "/spec/autoscaling"
DEFAULT_MIN_REPLICAS = 1  # AutoScalingMinReplicas: "Defaults to 1."


@RULES.rule(
    "A005",
    name="autoscaling-cannot-scale",
    severity="warning",
    summary="autoscaling whose maxReplicas is unset or equal to minReplicas never scales.",
    bad="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      autoscaling:
        minReplicas: 2
        metric: num_requests_running
        metricThreshold: 8
    """,
    good="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      autoscaling:
        minReplicas: 2
        maxReplicas: 4
        metric: num_requests_running
        metricThreshold: 8
    """,
)
def autoscaling_cannot_scale(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says of `maxReplicas`: "The maximum number of replicas for
    autoscaling. Defaults to minReplicas." and of `minReplicas`: "Defaults to 1." So an
    `autoscaling` block without `maxReplicas`, or with `maxReplicas` equal to
    `minReplicas`, pins the replica count: the autoscaler can never add a replica, and
    the metric and threshold do nothing. This is a warning, not an error: the request is
    valid, but it almost always means a forgotten `maxReplicas` (a fixed count is written
    as `replicas`).

    In an update (a PATCH), an unset `maxReplicas` keeps the running service's value, so
    only an update that sets both values, equal, is reported. `maxReplicas` below
    `minReplicas` is A002's finding, and values of the wrong type are the schema's (S001).
    """
    block = ctx.get(AUTOSCALING)
    if not isinstance(block, dict):
        return
    low, high = block.get("minReplicas"), block.get("maxReplicas")
    if (present(low) and as_int(low) is None) or (present(high) and as_int(high) is None):
        return
    if ctx.kind == "update" and not (present(low) and present(high)):
        return  # the running service's values fill in the rest
    minimum = low if present(low) else DEFAULT_MIN_REPLICAS
    lower = f"minReplicas {minimum}" + ("" if present(low) else " (its default)")
    stays = f"the service stays at {minimum} replica{'s' * (minimum != 1)}"
    if not present(high):
        yield Problem(
            AUTOSCALING,
            f"spec.autoscaling cannot scale: maxReplicas is not set, so it defaults to "
            f"{lower} and {stays}; set maxReplicas above {minimum}",
            "key",
        )
    elif high == minimum:
        yield Problem(
            f"{AUTOSCALING}/maxReplicas",
            f"spec.autoscaling cannot scale: maxReplicas {high} equals {lower}, so {stays}; "
            "raise maxReplicas, or set a fixed replicas count instead of autoscaling",
        )
