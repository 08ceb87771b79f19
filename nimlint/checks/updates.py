"""Python rules: update requests (spec against fieldsToRemove)."""

from __future__ import annotations

from collections.abc import Iterator

from nimlint.engine.context import Context, present
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem
from nimlint.messages import show

RULES = RuleSet()


@RULES.rule(
    "U001",
    name="field-set-and-removed",
    severity="warning",
    summary="An update both sets a spec field and lists it in fieldsToRemove.",
    bad="""
    spec:
      nodePools: [h100]
    fieldsToRemove: [nodePools]
    """,
    good="""
    spec:
      nodePools: [h100]
    fieldsToRemove: [tolerations]
    """,
    kinds=("update",),
)
def field_set_and_removed(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document gives an update two opposite instructions per field: `spec`
    (the "NimServiceSpec" to apply) and `fieldsToRemove`, the "List of field names to
    remove from the NIM service spec." It does not say which is applied first, so a field
    that is both set and removed may end up either way. Drop it from `fieldsToRemove` to
    set it, or from `spec` to remove it.

    Setting `replicas` while removing `autoscaling` (or the reverse) is not reported: the
    two are different fields.
    """
    spec, removed = ctx.get("/spec"), ctx.get("/fieldsToRemove")
    if not isinstance(spec, dict) or not isinstance(removed, list):
        return
    seen: set[str] = set()
    for index, name in enumerate(removed):
        if isinstance(name, str) and name not in seen and present(spec.get(name)):
            seen.add(name)
            yield Problem(
                f"/fieldsToRemove/{index}",
                f"fieldsToRemove[{index}] {show(name)} removes spec.{name}, which this update "
                "also sets; keep it in one place only",
            )
