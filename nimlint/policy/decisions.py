"""Every choice nimlint makes where the Run:ai sources are silent, in one place.

docs/policy.md explains each one; change it here and the whole feature follows.
"""

from __future__ import annotations

# Scopes from the widest to the nearest. A document without ``meta`` is a project policy
# (the narrowest scope: the policy that applies to the project the workload is in).
SCOPES = ("system", "tenant", "cluster", "department", "project")
SCOPE_WITHOUT_META = "project"

# A PATCH body's `reset` (runapy NimServicePolicyChangeRequest: "fields in jsonpath format
# that is requested to clear their policy") changes the policy stored on the server, which a
# file cannot show: a non-empty `reset` is refused (inferred; an empty one changes nothing).
RESET_IS_REFUSED = True

# Two policies that rule one field (a rule object with any key set, in two files) are refused,
# naming both: the server refuses to save the second (docs "Policies and rules" > Scope of
# effectiveness; "Workload policies" troubleshooting: 'Field "X" already has rules in cluster').
# Defaults: the nearest scope wins (same page). An empty rule object rules nothing (inferred).
ONE_POLICY_RULES_A_FIELD = True

# Two policies of the same scope cannot both apply to one workload: refused (exit 2).
SAME_SCOPE_TWICE_IS_AN_ERROR = True

# The key that matches items of itemized lists (default items, exclude, locked, canAdd).
ITEM_KEY = "name"

# An item without that key (`Toleration.name` is optional in the seed) matches nothing: it is
# an addition (subject to canAdd), never a replacement of a default item (inferred).

# Attribute rules name some item fields differently from the items: runapy's
# ImagePullSecretsRulesAttributes spells `userCredentials`, the seed's ImagePullSecret item
# has `userCredential`. The rule applies to the item's field (inferred: API models).
ITEM_FIELD = {"userCredentials": "userCredential"}

# `step` with no `min` counts from 0 (docs: "min 1, max 7, step 2 allows 1, 3, 5, 7").
STEP_ORIGIN_WITHOUT_MIN = 0

# `canEdit: false` on a field the policy gives no default for: any value the request sets
# is a change from "unset", so it is reported.
CAN_EDIT_WITHOUT_DEFAULT_REPORTS_ANY_VALUE = True

# The schema describes `canEdit` of arrays as defaulting to false; nimlint only reports
# an explicit `canEdit: false` (every other source says canEdit defaults to true).
CAN_EDIT_DEFAULT = True

# `required` on an array (nodePools): "must include at least one item".
EMPTY_ARRAY_IS_MISSING = True

# Rules are checked on create requests; an update body only through the PATCH preview
# (--base), which turns it into the service it would produce.
CHECKED_KINDS = ("create",)

# Attribute rules inside items (tolerations, imagePullSecrets): `field` is the list and the
# details name the item and the attribute.
ITEM_DETAILS = "item '{item}': {attribute}: "

# `details` texts: the server's wording where it is known (canEdit, canAdd, locked, min),
# nimlint's own in the same style otherwise.
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
