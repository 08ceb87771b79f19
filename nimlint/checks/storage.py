"""Python rules: model store (M...)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nimlint.engine.context import Context, as_int, present
from nimlint.engine.functions import missing_problem
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem
from nimlint.k8s.names import dns1123_subdomain_errors
from nimlint.messages import field_name, show

RULES = RuleSet()

PVC = "/spec/modelStore/pvc"
# PvcAccessModes defaults: readWriteOnce true, readOnlyMany and readWriteMany false.
ACCESS_DEFAULTS = {"readWriteOnce": True, "readOnlyMany": False, "readWriteMany": False}


def is_new_pvc(pvc: Any) -> bool:
    """A pvc mapping whose existingPvc is false or unset (it defaults to false)."""
    return isinstance(pvc, dict) and any(pvc.get("existingPvc") is v for v in (None, False))


@RULES.rule(
    "M001",
    name="model-store-single-source",
    severity="error",
    summary="modelStore needs exactly one of nimCache and pvc.",
    bad="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      modelStore:
        nimCache:
          name: llama3-8b-instruct-cache
        pvc:
          claimInfo:
            size: 100Gi
    """,
    good="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      modelStore:
        nimCache:
          name: llama3-8b-instruct-cache
    """,
)
def model_store_single_source(ctx: Context) -> Iterator[Problem]:
    """The Run:ai `modelStore` holds two alternative sources for the model: `nimCache`,
    "The specification of a NIM cache volume.", and `pvc`, a new or existing PVC. The
    Run:ai CLI says "You must select exactly one model store option: --model-existing-pvc,
    --model-new-pvc, or --model-nim-cache.", and the NIM Operator's NIMService webhook
    rejects a storage block with none ("one of [...] nimCache, [...] pvc, or [...] hostPath
    must be defined") or several ("only one of [...] must be defined").

    Both sources in one document are reported in every kind of document (on `pvc`). A
    `modelStore` with neither (but another key, a misspelled one say) is reported on create
    requests only: an update is a PATCH that keeps the source already set. A request
    without `modelStore` is not checked, and neither is one whose fields are all unset
    (`modelStore: {}` or `{nimCache: null, pvc: null}`, as SDKs send it): null means "not
    set", and an object of nothing set is an absent one.
    """
    store = ctx.get("/spec/modelStore")
    if not isinstance(store, dict):
        return
    given = [key for key in ("nimCache", "pvc") if present(store.get(key))]
    if len(given) == 2:
        message = "spec.modelStore.pvc cannot be combined with nimCache: choose one model source"
        yield Problem(PVC, message, "key")
    elif not given and ctx.kind == "create":
        yield Problem("/spec/modelStore", "spec.modelStore needs nimCache or pvc", "key")


@RULES.rule(
    "M005",
    name="new-pvc-size-required",
    severity="error",
    summary="A new model PVC (existingPvc false) needs claimInfo.size.",
    bad="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      modelStore:
        pvc:
          claimInfo:
            storageClass: fast-ssd
    """,
    good="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      modelStore:
        pvc:
          claimInfo:
            size: 100Gi
            storageClass: fast-ssd
    """,
    kinds=("create",),
)
def new_pvc_size_required(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says of `claimInfo.size`: "Requested size for the PVC.
    Mandatory when existingPvc is false." and `existingPvc` defaults to `false` ("If set
    to `false`, the PVC will be created, if it does not exist."), so a `pvc` without
    `existingPvc: true` needs a size. Kubernetes agrees: a PersistentVolumeClaim without
    a storage request is invalid (`ValidatePersistentVolumeClaimSpec` requires
    `resources.requests[storage]`).

    The finding is on `claimInfo` when it lacks `size`, on `pvc` when `claimInfo` itself
    is missing. Checked on create requests only: an update is a PATCH that keeps the size
    already set.
    """
    if is_new_pvc(ctx.get(PVC)):
        yield from missing_problem(
            ctx.get(PVC), PVC, "claimInfo/size", " when existingPvc is false"
        )


@RULES.rule(
    "M006",
    name="multi-node-read-write-once-pvc",
    severity="warning",
    summary="A multi-node service stores its model on a new ReadWriteOnce-only PVC.",
    bad="""
    spec:
      multiNode:
        workers: 1
      modelStore:
        pvc:
          claimInfo:
            size: 500Gi
    """,
    good="""
    spec:
      multiNode:
        workers: 1
      modelStore:
        pvc:
          claimInfo:
            size: 500Gi
            accessModes:
              readWriteOnce: false
              readWriteMany: true
    """,
)
def multi_node_rwo_pvc(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says of `multiNode`: "If workers is set to 1 or more, the
    service runs in multi-node.", so the leader and its workers run on different nodes
    and all mount the model store. A new PVC's `accessModes` default to `readWriteOnce`
    only ("Mount the volume as read/write by a single node.", default `true`;
    `readOnlyMany` and `readWriteMany` default to `false`). Kubernetes accepts such a
    claim, but its attach/detach controller refuses to attach a volume whose only mode
    is ReadWriteOnce to a second node (`IsMultiAttachAllowed` in `pkg/volume/util`), so
    the pods on other nodes hang with a Multi-Attach error. Set `readWriteMany: true`
    (with a storage class that supports it) or use a `nimCache`.

    An existing PVC (`existingPvc: true`) is not checked: its access modes are not in
    the request.
    """
    workers = as_int(ctx.get("/spec/multiNode/workers"))
    pvc = ctx.get(PVC)
    if workers is None or workers < 1 or not is_new_pvc(pvc):
        return
    found = access_modes(pvc)
    if found is not None and read_write_once_only(found[1]):
        message = (
            f"{field_name(found[0])}: the new PVC is readWriteOnce only (the default), but "
            f"multiNode.workers is {workers} and pods on other nodes cannot mount it; set "
            "claimInfo.accessModes.readWriteMany to true or use a nimCache"
        )
        yield Problem(found[0], message, "key")


def access_modes(pvc: dict) -> tuple[str, dict] | None:
    """(pointer to report, access modes as given); None when a value has the wrong type."""
    claim = pvc.get("claimInfo")
    if claim is None:
        return PVC, {}
    if not isinstance(claim, dict):
        return None
    modes = claim.get("accessModes")
    if modes is None:
        return f"{PVC}/claimInfo", {}
    return (f"{PVC}/claimInfo/accessModes", modes) if isinstance(modes, dict) else None


def read_write_once_only(modes: dict) -> bool:
    """Whether ``modes``, with the defaults filled in, allow readWriteOnce alone."""
    return all(
        (default if modes.get(key) is None else modes[key]) is default
        for key, default in ACCESS_DEFAULTS.items()
    )


@RULES.rule(
    "M007",
    name="nim-cache-name-invalid",
    severity="warning",
    summary="modelStore.nimCache.name must be a Kubernetes object name (a DNS-1123 subdomain).",
    bad="""
    spec:
      modelStore:
        nimCache:
          name: Llama3_8B_Cache
    """,
    good="""
    spec:
      modelStore:
        nimCache:
          name: llama3-8b-cache
    """,
)
def nim_cache_name_invalid(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says of `nimCache.name`: "The NIMCache resource name
    (mandatory)." with only `minLength: 1`. The name refers to a NIMCache, a custom
    resource of the NIM Operator, and Kubernetes validates the names of custom resources
    as DNS-1123 subdomains (`NameIsDNSSubdomain` in apiextensions-apiserver's custom
    resource validation): at most 253 lowercase letters, digits, `-` and `.`, starting and
    ending with a letter or digit. No NIMCache can have another name, so such a reference
    can never be satisfied; nimlint follows Kubernetes here. It is a warning because the
    request itself is accepted: the service then waits for a cache that cannot exist.
    An empty name is the schema's finding (S005).
    """
    pointer = "/spec/modelStore/nimCache/name"
    name = ctx.get(pointer)
    if not isinstance(name, str) or not name:
        return
    errors = dns1123_subdomain_errors(name)
    if errors:
        yield Problem(
            pointer,
            f"spec.modelStore.nimCache.name {show(name)} is not a NIMCache resource name: "
            + "; ".join(errors),
        )


@RULES.rule(
    "M008",
    name="new-pvc-without-access-mode",
    severity="error",
    summary="A new model PVC whose access modes are all false.",
    bad="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      modelStore:
        pvc:
          claimInfo:
            size: 100Gi
            accessModes:
              readWriteOnce: false
    """,
    good="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      modelStore:
        pvc:
          claimInfo:
            size: 100Gi
            accessModes:
              readWriteOnce: false
              readWriteMany: true
    """,
    kinds=("create",),
)
def new_pvc_without_access_mode(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document describes `accessModes` as the "Default access mode(s) applied
    to newly created PVCs unless explicitly overridden", with `readWriteOnce` ("Mount the
    volume as read/write by a single node.") defaulting to `true`, and `readOnlyMany` and
    `readWriteMany` to `false`. The default applies only to a mode left unset (absent or
    `null`): `readWriteOnce: false` with the others false or unset leaves the claim with
    no access mode, and Kubernetes rejects such a PersistentVolumeClaim
    (`ValidatePersistentVolumeClaimSpec`: "at least 1 access mode is required").

    Checked on create requests for a new PVC (`existingPvc` false or unset): an update may
    change one mode and keep the others, and an existing PVC's modes are not in the
    request.
    """
    pvc = ctx.get(PVC)
    if not is_new_pvc(pvc):
        return
    found = access_modes(pvc)
    if found is None or not isinstance(found[1], dict) or not found[1]:
        return
    modes = found[1]
    if all(_mode(modes, key) is False for key in ACCESS_DEFAULTS):
        yield Problem(
            found[0],
            f"{field_name(found[0])} turns every access mode off (readWriteOnce is true only "
            "when unset): Kubernetes rejects a PVC without an access mode; set one to true",
            "key",
        )


def _mode(modes: dict, key: str) -> Any:
    value = modes.get(key)
    return ACCESS_DEFAULTS[key] if value is None else value


@RULES.rule(
    "M009",
    name="claim-name-invalid",
    severity="warning",
    summary="modelStore.pvc.claimName must be a Kubernetes object name (a DNS-1123 subdomain).",
    bad="""
    spec:
      modelStore:
        pvc:
          existingPvc: true
          claimName: Llama3_Models
    """,
    good="""
    spec:
      modelStore:
        pvc:
          existingPvc: true
          claimName: llama3-models
    """,
)
def claim_name_invalid(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says of `claimName`: "Name for the PVC. Allow referencing it
    across workloads." with `maxLength: 63` and `pattern: ".*"`. A PersistentVolumeClaim's
    name is a DNS-1123 subdomain (`ValidatePersistentVolumeClaim` ->
    `ValidatePersistentVolumeName` -> `NameIsDNSSubdomain`): lowercase letters, digits,
    `-` and `.`, starting and ending with a letter or digit. No PVC can have another name:
    a new one is refused, an existing one can never be found. A warning, as for
    `nimCache.name` (M007): the request itself is accepted. An empty or over-long name is
    the schema's finding (S005).
    """
    pointer = f"{PVC}/claimName"
    name = ctx.get(pointer)
    if not isinstance(name, str) or not name or len(name) > CLAIM_NAME_MAX_LENGTH:
        return
    errors = dns1123_subdomain_errors(name)
    if errors:
        yield Problem(
            pointer,
            f"spec.modelStore.pvc.claimName {show(name)} is not a PVC name: " + "; ".join(errors),
        )


CLAIM_NAME_MAX_LENGTH = 63  # the document's maxLength: longer names are S005's finding
