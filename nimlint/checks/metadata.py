"""Python rules: the workload name, label and annotation keys, priority, root ids."""

from __future__ import annotations

from collections.abc import Iterator

from nimlint.engine.context import Context, present
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem, Repair
from nimlint.k8s.names import (
    TOTAL_ANNOTATION_SIZE_LIMIT_B,
    annotations_size,
    dns1035_label_errors,
    qualified_name_errors,
)
from nimlint.messages import field_name, show

RULES = RuleSet()

# Room kept for what useGivenNameAsPrefix appends: Kubernetes' generateName adds 5 random
# characters (storage/names.SimpleNameGenerator); one more allows for a '-' separator.
NAME_SUFFIX_MARGIN = 6
PRIORITY_CLASSES = ("very-low", "low", "medium-low", "medium", "medium-high", "high", "very-high")


# The document's maxLength for label and annotation names (the whole name, prefix included).
NAME_MAX_LENGTH = 63


def _not_length(errors: list[str], name: str) -> list[str]:
    """``errors`` without the too-long ones when the schema's maxLength (S005) reports it."""
    if len(name) <= NAME_MAX_LENGTH:
        return errors
    return [e for e in errors if "must be no more than" not in e]


def _names(ctx: Context, pointer: str) -> Iterator[tuple[str, str]]:
    """(pointer, name) for each applied entry whose name is a non-empty string."""
    for entry_pointer, entry in ctx.applied(pointer):
        name = entry.get("name")
        if isinstance(name, str) and name:
            yield f"{entry_pointer}/name", name


@RULES.rule(
    "K001",
    name="workload-name-not-dns-label",
    severity="warning",
    summary="metadata.name should be a DNS-1035 label of at most 63 characters.",
    bad="""
    metadata:
      name: Llama3_8B
      projectId: "1"
    """,
    good="""
    metadata:
      name: llama3-8b
      projectId: "1"
    """,
    kinds=("create",),
    fix="unsafe",
)
def workload_name_not_dns_label(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says only "The name of the workload." (`pattern: ".*"`), but
    the workload becomes a NIMService, and the NIM Operator gives its Deployment, Service,
    HPA and Ingress the NIMService's name (`GetServiceParams`: `params.Name = n.GetName()`
    in NVIDIA/k8s-nim-operator). Kubernetes validates Service names as DNS-1035 labels
    (`ValidateServiceName = NameIsDNS1035Label` in `pkg/apis/core/validation/
    validation.go`): at most 63 lowercase letters, digits and `-`, starting with a letter
    and ending with a letter or digit. Nothing in the document rejects other names, so
    this is a warning: such a request may be accepted and the service then fail inside
    the cluster.

    With `useGivenNameAsPrefix`, "the requested name will be treated as a prefix. The
    final name of the workload will be composed of the name followed by a random set of
    characters." The document does not say how many. Kubernetes' own `generateName`
    appends 5 (`MaxGeneratedNameLength = 63 - 5`); this rule keeps room for 6 (a `-`
    separator and 5 random characters), so a prefix may have at most 57 characters, and
    may end with `-`, as Kubernetes allows for `generateName`.

    Fix (unsafe: the service gets another name): when lower-casing the name is all it
    takes, write it in lower case.
    """
    name = ctx.get("/metadata/name")
    if not isinstance(name, str) or not name:
        return
    as_prefix = ctx.get("/metadata/useGivenNameAsPrefix") is True
    margin = "a" * NAME_SUFFIX_MARGIN if as_prefix else ""
    errors = dns1035_label_errors(name + margin)
    if errors:
        added = (
            f" plus the {NAME_SUFFIX_MARGIN} characters useGivenNameAsPrefix may add"
            if as_prefix
            else ""
        )
        lower = name.lower()
        repair = None
        if not dns1035_label_errors(lower + margin):
            repair = Repair("replace", "/metadata/name", f"write {show(lower)}", lower)
        yield Problem(
            "/metadata/name",
            f"metadata.name {show(name)}{added} must be a DNS-1035 label (it names the "
            f"service's Kubernetes objects): {'; '.join(errors)}",
            repair=repair,
        )


@RULES.rule(
    "K003",
    name="label-name-invalid",
    severity="error",
    summary="A label name must be a Kubernetes label key ([prefix/]name).",
    bad="""
    spec:
      labels:
        - name: app kubernetes io/name
          value: llama3-8b-instruct
    """,
    good="""
    spec:
      labels:
        - name: app.kubernetes.io/name
          value: llama3-8b-instruct
    """,
)
def label_name_invalid(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says "The name of the label (mandatory)" with `pattern: ".*"`
    and `maxLength: 63`. Kubernetes rejects an object whose label keys are not qualified
    names (`ValidateLabels` -> `IsQualifiedName` in apimachinery): an optional lowercase
    DNS subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`,
    starting and ending with a letter or digit. Unlike annotation keys, label keys are
    case-sensitive: `Example.com/team` is rejected.

    Run:ai is stricter on length (63 characters for the whole name, prefix included,
    where Kubernetes allows a 253-character prefix): the schema layer reports that (S005),
    and this rule then reports only what else is wrong, one finding per problem.
    Entries with `exclude: true` are skipped: they are never sent to the cluster.
    """
    for pointer, name in _names(ctx, "/spec/labels"):
        errors = _not_length(qualified_name_errors(name), name)
        if errors:
            yield Problem(
                pointer,
                f"{field_name(pointer)} {show(name)} is not a valid label key: {'; '.join(errors)}",
            )


@RULES.rule(
    "K007",
    name="annotation-name-invalid",
    severity="error",
    summary="An annotation name must be a Kubernetes annotation key ([prefix/]name).",
    bad="""
    spec:
      annotations:
        - name: team.example.com/owner/name
          value: inference-platform
    """,
    good="""
    spec:
      annotations:
        - name: team.example.com/owner
          value: inference-platform
    """,
)
def annotation_name_invalid(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says "The name of the annotation (mandatory)" with
    `pattern: ".*"` and `maxLength: 63`. Kubernetes rejects an object whose annotation
    keys are not qualified names, but first lowercases them: `ValidateAnnotations`
    (`apimachinery/pkg/api/validation/objectmeta.go`) checks
    `IsQualifiedName(strings.ToLower(k))`, "The rule is QualifiedName except that case
    doesn't matter". So `Team.Example.com/Owner` is a valid annotation key (and an invalid
    label key); spaces, a second `/` or a leading `-` are not. A name longer than the
    document's 63 characters is the schema's finding (S005); this rule then reports only
    what else is wrong.

    Entries with `exclude: true` are skipped: they are never sent to the cluster.
    """
    for pointer, name in _names(ctx, "/spec/annotations"):
        errors = _not_length(qualified_name_errors(name.lower()), name)
        if errors:
            yield Problem(
                pointer,
                f"{field_name(pointer)} {show(name)} is not a valid annotation key: "
                + "; ".join(errors),
            )


def _annotation_pairs(ctx: Context) -> dict[str, str]:
    """The annotations as Kubernetes receives them: a map, the last entry of a name wins."""
    pairs: dict[str, str] = {}
    for _, entry in ctx.applied("/spec/annotations"):
        name, value = entry.get("name"), entry.get("value")
        if isinstance(name, str):
            pairs[name] = value if isinstance(value, str) else ""
    return pairs


@RULES.rule(
    "K008",
    name="annotations-too-large",
    severity="error",
    summary="The annotations together must not exceed 256 KiB (names plus values).",
    bad="""
    spec:
      annotations:  # 27 entries like this one: 27 x (19 + 10,000) bytes is over 256 KiB
        - name: example.com/blob-01
          value: "QUFBQUFB... (10,000 characters)"
    """,
    good="""
    spec:
      annotations:
        - name: team.example.com/owner
          value: inference-platform
    """,
)
def annotations_too_large(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document limits each annotation value to 10000 characters and the list
    to 1000 entries, but the annotations are "populate[d] into the container running the
    workload", and Kubernetes rejects an object whose annotations total more than
    256 KiB: `ValidateAnnotationsSize` (`apimachinery/pkg/api/validation/objectmeta.go`)
    adds the byte lengths of every key and value and fails above
    `TotalAnnotationSizeLimitB = 256 * (1 << 10)`. This rule follows the cluster.

    A name listed twice counts once (the map keeps one value, here the last), and entries
    with `exclude: true` do not count. Annotations that Run:ai and the NIM Operator add
    themselves also count against the limit, so stay well below it.
    """
    size = annotations_size(_annotation_pairs(ctx).items())
    if size > TOTAL_ANNOTATION_SIZE_LIMIT_B:
        yield Problem(
            "/spec/annotations",
            f"spec.annotations total {size:,} bytes (names plus values); Kubernetes allows "
            f"at most {TOTAL_ANNOTATION_SIZE_LIMIT_B:,} (256 KiB)",
            "key",
        )


def _priority_pointers(ctx: Context) -> tuple[str, ...]:
    """Where a PriorityClass value sits: spec.priorityClass, and metadata.priority in responses."""
    if ctx.kind == "response":
        return ("/spec/priorityClass", "/metadata/priority")
    return ("/spec/priorityClass",)


def _priority_hint(value: str) -> str:
    """A did-you-mean for a near miss such as High or medium_high."""
    guess = value.strip().lower().replace("_", "-").replace(" ", "-")
    return f" (did you mean {guess}?)" if guess in PRIORITY_CLASSES else ""


@RULES.rule(
    "K010",
    name="priority-class-unknown",
    severity="error",
    summary="The priority class must be one of very-low ... very-high.",
    bad="""
    spec:
      priorityClass: urgent
    """,
    good="""
    spec:
      priorityClass: high
    """,
)
def priority_class_unknown(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document's `PriorityClass` has only `pattern: ".*"`, so the schema
    accepts any string, but its description is explicit: "Specifies the priority class
    for the workload, which determines its scheduling behavior. Valid values are:
    very-low, low, medium-low, medium, medium-high, high, and very-high." Values are
    case-sensitive (they name Kubernetes PriorityClass objects, whose names are
    lowercase).

    Responses carry the same `PriorityClass` schema in `metadata.priority`; it is checked
    there too.
    """
    for pointer in _priority_pointers(ctx):
        value = ctx.get(pointer)
        if isinstance(value, str) and value not in PRIORITY_CLASSES:
            yield Problem(
                pointer,
                f"{field_name(pointer)} {show(value)} must be one of "
                f"{', '.join(PRIORITY_CLASSES)}{_priority_hint(value)}",
            )


# Kubernetes' IsValidUserID and IsValidGroupID: 0 <= id <= math.MaxInt32.
MAX_ID = 2**31 - 1


@RULES.rule(
    "K017",
    name="run-as-id-out-of-range",
    severity="error",
    summary="spec.security.runAsUid or runAsGid is outside 0..2147483647.",
    bad="""
    spec:
      security:
        runAsUid: -1
    """,
    good="""
    spec:
      security:
        runAsUid: 1000
        runAsGid: 2000
    """,
)
def run_as_id_out_of_range(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document gives `runAsUid` ("The user id to run the entrypoint of the
    container") and `runAsGid` `format: int64` and no bounds. They become the pod's
    `runAsUser` and `runAsGroup`, which Kubernetes validates with `IsValidUserID` and
    `IsValidGroupID` (`apimachinery/pkg/util/validation/validation.go`): "must be between
    0 and 2147483647, inclusive". A pod with any other id is rejected, so the service never
    starts. Values beyond int64 are the schema's (or the loader's) finding alone.
    """
    for key in ("runAsUid", "runAsGid"):
        pointer = f"/spec/security/{key}"
        value = ctx.get(pointer)
        if type(value) is int and not 0 <= value <= MAX_ID and -(2**63) <= value < 2**63:
            yield Problem(
                pointer,
                f"spec.security.{key} ({value}) must be between 0 and {MAX_ID}, inclusive: "
                "Kubernetes rejects any other user or group id",
            )


@RULES.rule(
    "K016",
    name="priority-without-preemptibility",
    severity="info",
    summary="spec.priorityClass is set without spec.preemptibility.",
    bad="""
    spec:
      priorityClass: high
    """,
    good="""
    spec:
      priorityClass: high
      preemptibility: non-preemptible
    """,
    kinds=("create", "update"),
)
def priority_without_preemptibility(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says of `priorityClass`: "Each workload type has a default
    priority. [...] Once you change the priority from the default value defined for that
    workload type, the preemptibility field is not automatically updated. Make sure to
    set the desired preemptibility value." and of `preemptibility`: "If not set, the
    system derives the preemptibility from the priorityClassName field". A request that
    sets the priority and leaves preemptibility out may run preemptible when a high
    priority was meant to keep it running (or the other way round): say which.

    Information only: the request is valid, and the derived value may be the one wanted.
    Checked on create and update requests; an unknown priority class is K010's finding
    alone, and a `null` value is unset.
    """
    priority = ctx.get("/spec/priorityClass")
    if priority in PRIORITY_CLASSES and not present(ctx.get("/spec/preemptibility")):
        yield Problem(
            "/spec/priorityClass",
            f"spec.priorityClass is {priority} but spec.preemptibility is not set: the "
            'document says "the preemptibility field is not automatically updated. Make sure '
            'to set the desired preemptibility value." (preemptible or non-preemptible)',
        )


@RULES.rule(
    "K012",
    name="runs-as-root",
    severity="warning",
    summary="spec.security.runAsUid or runAsGid is 0 (root).",
    bad="""
    spec:
      security:
        runAsUid: 0
    """,
    good="""
    spec:
      security:
        runAsUid: 1000
        runAsGid: 1000
    """,
)
def runs_as_root(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document describes `runAsUid` as "The user id to run the entrypoint of
    the container which executes the workspace" and `runAsGid` as "The group id to run the
    entrypoint of the container" ("Use only when the source uid/gid of the environment
    asset is not `fromTheImage`, and `overrideUidGidInWorkspace` is enabled"). Id 0 is
    root: the model server then runs with full privileges inside the container, and a
    compromise of it reaches everything the container can. NIMs do not need root: the
    NIM Operator itself defaults to user 1000 and group 2000 (`GetUserID`, `GetGroupID`
    in NVIDIA/k8s-nim-operator). Kubernetes accepts 0, so this is a warning.
    """
    for key, what in (("runAsUid", "root user"), ("runAsGid", "root group")):
        pointer = f"/spec/security/{key}"
        value = ctx.get(pointer)
        if type(value) is int and value == 0:
            yield Problem(
                pointer,
                f"spec.security.{key} is 0: the container runs as the {what}; use a non-zero id",
            )
