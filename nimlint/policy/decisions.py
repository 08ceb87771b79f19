"""Every choice nimlint makes about Run:ai policies, in one place, each with its source.

``Source:`` names a Run:ai docs page ("docs: ..."), an API model (the 2.24 OpenAPI seed, or
runapy 1.224's generated models, "API: ..."), or says "inferred" where no public source
speaks. docs/policy.md explains each one; change it here and the whole feature follows.
"""

from __future__ import annotations

# Scopes from the widest to the nearest.
# Source: API: ScopeType; docs: "Policies and rules" > Scope of effectiveness.
SCOPES = ("system", "tenant", "cluster", "department", "project")

# A document without ``meta`` is a project policy (the policy of the workload's own project).
# Source: inferred.
SCOPE_WITHOUT_META = "project"

# A non-empty `reset` in a PATCH body is refused: it clears fields of the policy stored on the
# server, which a file cannot show. An empty one changes nothing.
# Source: API: runapy NimServicePolicyChangeRequest.reset ("set of fields in jsonpath format
# that is requested to clear their policy"); refusing it offline is inferred.
RESET_IS_REFUSED = True

# Two policies that rule one field (a rule object with any key set, in two files) are refused,
# naming both. Defaults of several scopes: the nearest scope wins, field by field.
# Source: docs: "Policies and rules" > Scope of effectiveness, and "Workload policies"
# troubleshooting ('Field "X" already has rules in cluster: "ID"'). An empty rule object
# (`{}`, nulls, `sourceOfRule` alone) rules nothing: inferred.
ONE_POLICY_RULES_A_FIELD = True

# Two policies of the same scope cannot both apply to one workload: refused (exit 2).
# Source: inferred (a workload is in one project, one department, one cluster).
SAME_SCOPE_TWICE_IS_AN_ERROR = True

# The key that matches items of itemized lists (default items, exclude, locked, canAdd). An
# item without it (`Toleration.name` is optional) matches nothing: it is an addition, subject
# to canAdd, never a replacement of a default item (nimlint.policy.items).
# Source: docs: "Policy YAML Reference" > Itemized ("matched by key"); the key being `name`,
# and unnamed items matching nothing: inferred.
ITEM_KEY = "name"

# Attribute rules name some item fields differently from the items: the rule key
# `userCredentials` rules the item field `userCredential`.
# Source: API: runapy ImagePullSecretsRulesAttributes (`userCredentials`) and the seed's
# ImagePullSecret (`userCredential`); that the one rules the other: inferred.
ITEM_FIELD = {"userCredentials": "userCredential"}

# `defaultFrom.field` names a field of the rule's own section, bare (`cpuCoreRequest`) or with
# its section (`compute.cpuCoreRequest`); anything else is a policy error, and so is a source
# of another kind of value (a quantity for a number) or the field itself.
# Source: API: runapy DefaultFromRule ("must belong to the same workload section"); docs:
# "Policy YAML Examples" (`field: compute.cpuCoreLimit`); refusing other kinds: inferred.
DEFAULT_FROM_SAME_KIND = True

# `step` with no `min` counts from 0; on numbers it is exact decimal arithmetic (a 0.5 step
# allows 1.5, not 0.7).
# Source: docs: "Policy YAML Reference" > Rule types (every example has a `min`); the rest
# inferred.
STEP_ORIGIN_WITHOUT_MIN = 0

# `canEdit: false` on a field the policy gives no default for (nor computes, defaultFrom):
# any value the request sets is a change from "unset", so it is reported.
# Source: inferred.
CAN_EDIT_WITHOUT_DEFAULT_REPORTS_ANY_VALUE = True

# `canEdit` defaults to true everywhere: only an explicit `canEdit: false` is reported.
# Source: docs: "Policy YAML Reference" (canEdit, default true); the API's ArrayRules says
# false for arrays, which nimlint does not follow (it would report every nodePools).
CAN_EDIT_DEFAULT = True

# `required` on an array (nodePools): an empty list is missing.
# Source: API: ArrayRules.required ("must include at least one item").
EMPTY_ARRAY_IS_MISSING = True

# Rules are checked on create requests; an update body only through the PATCH preview
# (--base), which turns it into the service it would produce.
# Source: API: POST /api/v2/workloads/nim-services documents the 400 complianceIssues answer,
# PATCH documents none; checking the preview is inferred.
CHECKED_KINDS = ("create",)

# Attribute rules inside items (tolerations, imagePullSecrets): `field` is the list and the
# details name the item and the attribute. Every violation is reported, not only the first.
# Source: API: ComplianceIssuesV2 (`field`, `details`, `rule`); the item in `details` and
# reporting all: inferred.
ITEM_DETAILS = "item '{item}': {attribute}: "

# `details` texts: the server's wording where it was seen (canEdit, canAdd, locked), nimlint's
# own in the same style otherwise.
# Source: the server's wording as Run:ai CLI output shows it, for canEdit, canAdd, locked
# (reference notes, section 6); the others inferred (no public source shows them).
DETAILS = {
    "required": "value is required",
    "canEdit": "the administrator prohibited changing the value of this field",
    "canAdd": "the administrator prohibited adding new items",
    "locked": "the administrator prohibited modifying item '{item}'",
    "options": "value must be one of: {allowed}",
    "min": "value must be no less than {limit}",
    "max": "value must be no greater than {limit}",
    "step": "value must be {origin} plus a multiple of {step}",
}
