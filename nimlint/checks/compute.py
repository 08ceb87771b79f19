"""Python rules: compute (GPU request type, limits >= requests, quantities)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from nimlint.engine.context import Context, present
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem
from nimlint.k8s.quantity import Quantity, QuantityError, is_milli_memory, parse_quantity
from nimlint.messages import clip, field_name, show

RULES = RuleSet()

COMPUTE = "/spec/compute"
QUANTITY_FIELDS = (
    f"{COMPUTE}/cpuMemoryRequest",
    f"{COMPUTE}/cpuMemoryLimit",
    f"{COMPUTE}/gpuMemoryRequest",
    f"{COMPUTE}/gpuMemoryLimit",
    "/spec/modelStore/pvc/claimInfo/size",
)
# The document's quantity pattern, [+]?[0-9.]+[eEinumkKMGTP]*[-+]?[0-9]*: strings it rejects
# are the schema layer's (S003) to report. Written so that no two adjacent parts can match the
# same character (the document's form backtracks quadratically: 40,000 digits took 17 s).
DOCUMENT_PATTERN = re.compile(r"\+?[0-9.]+(?:[eEinumkKMGTP]+[-+]?[0-9]*|[-+][0-9]*)?")
REQUEST_OF = {"portion": "gpuPortionRequest", "memory": "gpuMemoryRequest"}
TYPE_OF = {
    "gpuPortionRequest": "portion",
    "gpuPortionLimit": "portion",
    "gpuMemoryRequest": "memory",
    "gpuMemoryLimit": "memory",
}
SUFFIX_WORDS = {"m": "milli", "u": "micro", "n": "nano"}


def _compute(ctx: Context) -> dict | None:
    """``spec.compute`` when it is a mapping."""
    compute = ctx.get(COMPUTE)
    return compute if isinstance(compute, dict) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _devices(compute: dict) -> int | None:
    """gpuDevicesRequest, 0 when unset, None when it has the wrong type."""
    value = compute.get("gpuDevicesRequest")
    if not present(value):
        return 0
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _matches_document(value: Any) -> bool:
    """A string the document's quantity pattern accepts (others are S001's or S003's)."""
    return isinstance(value, str) and DOCUMENT_PATTERN.fullmatch(value) is not None


def _has_value(compute: dict, name: str) -> bool:
    """A gpuPortion* number or gpuMemory* string is set."""
    value = compute.get(name)
    return _is_number(value) if TYPE_OF[name] == "portion" else isinstance(value, str)


def _quantity(value: Any) -> Quantity | None:
    """The quantity a field holds, or None (unset, wrong type, or not a quantity)."""
    if not _matches_document(value):
        return None
    try:
        return parse_quantity(value)
    except QuantityError:
        return None


def _bytes(quantity: Quantity) -> str:
    """The exact value of a quantity as a decimal number."""
    value = quantity.value
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


def _type_needs_request(ctx: Context, request_type: str) -> Iterator[Problem]:
    """Report a compute whose gpuRequestType lacks its request field (one device at most)."""
    compute = _compute(ctx)
    if compute is None or compute.get("gpuRequestType") != request_type:
        return
    devices, field = _devices(compute), REQUEST_OF[request_type]
    if devices is not None and devices <= 1 and not present(compute.get(field)):
        message = f"spec.compute needs {field} when gpuRequestType is {request_type}"
        yield Problem(COMPUTE, message, "key")


@RULES.rule(
    "G001",
    name="portion-needs-portion-request",
    severity="error",
    summary="gpuRequestType portion needs gpuPortionRequest.",
    bad="""
    metadata: {name: llama, projectId: "1"}
    spec:
      compute: {gpuDevicesRequest: 1, gpuRequestType: portion}
    """,
    good="""
    metadata: {name: llama, projectId: "1"}
    spec:
      compute: {gpuDevicesRequest: 1, gpuRequestType: portion, gpuPortionRequest: 0.5}
    """,
    kinds=("create",),
)
def portion_needs_portion_request(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says of `gpuPortionRequest`: "Required if and only if gpuRequestType
    is portion. States the portion of the GPU to allocate for the created workload, per GPU
    device".

    Not checked when `gpuDevicesRequest > 1`: the document also says "if more than one device
    is requested, it is not possible to provide values for gpuMemory or gpuPortion" (G007).
    Checked in create requests only: an update carries only the fields it changes, and the
    portion may already be set on the service.
    """
    yield from _type_needs_request(ctx, "portion")


@RULES.rule(
    "G002",
    name="memory-needs-memory-request",
    severity="error",
    summary="gpuRequestType memory needs gpuMemoryRequest.",
    bad="""
    metadata: {name: llama, projectId: "1"}
    spec:
      compute: {gpuDevicesRequest: 1, gpuRequestType: memory}
    """,
    good="""
    metadata: {name: llama, projectId: "1"}
    spec:
      compute: {gpuDevicesRequest: 1, gpuRequestType: memory, gpuMemoryRequest: 20Gi}
    """,
    kinds=("create",),
)
def memory_needs_memory_request(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says of `gpuMemoryRequest`: "Required if and only if gpuRequestType
    is memory. States the GPU memory to allocate for the created workload, per GPU device."

    Not checked when `gpuDevicesRequest > 1`, where `memory` is itself wrong (G008) and memory
    values are not allowed (G007). Checked in create requests only: an update carries only
    the fields it changes.
    """
    yield from _type_needs_request(ctx, "memory")


@RULES.rule(
    "G005",
    name="gpu-values-need-request-type",
    severity="warning",
    summary="gpuPortion*/gpuMemory* values without gpuRequestType.",
    bad="""
    metadata: {name: llama, projectId: "1"}
    spec:
      compute: {gpuDevicesRequest: 1, gpuPortionRequest: 0.5}
    """,
    good="""
    metadata: {name: llama, projectId: "1"}
    spec:
      compute: {gpuDevicesRequest: 1, gpuRequestType: portion, gpuPortionRequest: 0.5}
    """,
    kinds=("create",),
)
def gpu_values_need_request_type(ctx: Context) -> Iterator[Problem]:
    """The converse of G001/G002. The document says `gpuPortionRequest` is "Required if and
    only if gpuRequestType is portion" (and `gpuMemoryRequest` likewise for memory), and that
    `gpuRequestType` "Sets the unit type for other GPU request fields". A portion or memory
    value with no `gpuRequestType` has no stated unit type.

    A warning, not an error: the document does not say that the API rejects such a request
    rather than inferring the type. Checked in create requests only (an update that changes
    only `gpuPortionRequest` keeps the service's type) and not when `gpuDevicesRequest > 1`
    (G007 reports the values there).
    """
    compute = _compute(ctx)
    if compute is None or present(compute.get("gpuRequestType")):
        return
    devices = _devices(compute)
    if devices is None or devices > 1:
        return
    fields = [name for name in TYPE_OF if _has_value(compute, name)]
    types = sorted({TYPE_OF[name] for name in fields})
    if len(types) == 1:
        message = f"spec.compute needs gpuRequestType: {types[0]} (set: {', '.join(fields)})"
        yield Problem(COMPUTE, message, "key")
    elif types:
        message = (
            "spec.compute needs gpuRequestType (portion or memory) and only that type's "
            f"values (set: {', '.join(fields)})"
        )
        yield Problem(COMPUTE, message, "key")


@RULES.rule(
    "G006",
    name="gpu-portion-out-of-range",
    severity="error",
    summary="gpuPortionRequest and gpuPortionLimit must be > 0 and <= 1.",
    bad="""
    spec:
      compute: {gpuRequestType: portion, gpuPortionRequest: 2}
    """,
    good="""
    spec:
      compute: {gpuDevicesRequest: 2}
    """,
)
def gpu_portion_out_of_range(ctx: Context) -> Iterator[Problem]:
    """The document says `gpuPortionRequest` "States the portion of the GPU to allocate for the
    created workload, per GPU device, between 0 and 1", and `gpuPortionLimit` is the
    "Limitations on the portion consumed by the workload, per GPU device". Their schemas only
    say `minimum: 0`. A portion is a share of one device: above 1, request whole devices with
    `gpuDevicesRequest`; a portion of 0 allocates nothing ("The default is no allocated GPUs").
    `1` is a whole GPU and is accepted. A negative value breaks the schema's `minimum: 0`:
    that is the schema's finding (S004), one finding per problem.
    """
    compute = _compute(ctx)
    for name in ("gpuPortionRequest", "gpuPortionLimit"):
        value = compute.get(name) if compute else None
        if _is_number(value) and (value == 0 or value > 1):  # below 0: S004
            hint = "; request whole GPUs with gpuDevicesRequest" if value > 1 else ""
            pointer = f"{COMPUTE}/{name}"
            yield Problem(
                pointer, f"{field_name(pointer)} must be > 0 and <= 1; got {show(value)}{hint}"
            )


def _gpu_amounts(compute: dict) -> list[Any] | None:
    """Requested devices, portion and GPU memory (0 when unset), or None if any is malformed."""
    portion, memory = compute.get("gpuPortionRequest"), compute.get("gpuMemoryRequest")
    quantity = _quantity(memory)
    amounts = [
        _devices(compute),
        portion if _is_number(portion) else (0 if not present(portion) else None),
        quantity.nanos if quantity else (0 if not present(memory) else None),
    ]
    return None if None in amounts else amounts


def _awaits_request(compute: dict) -> bool:
    """gpuRequestType is set but its request field is not (G001/G002 report that)."""
    request_type = compute.get("gpuRequestType")
    field = REQUEST_OF.get(request_type) if isinstance(request_type, str) else None
    return field is not None and not present(compute.get(field))


@RULES.rule(
    "G009",
    name="no-gpu-requested",
    severity="warning",
    summary="The service requests no GPU.",
    bad="""
    metadata: {name: llama, projectId: "1"}
    spec:
      compute: {cpuCoreRequest: 4, cpuMemoryRequest: 16Gi}
    """,
    good="""
    metadata: {name: llama, projectId: "1"}
    spec:
      compute: {gpuDevicesRequest: 1, cpuCoreRequest: 4, cpuMemoryRequest: 16Gi}
    """,
    kinds=("create",),
)
def no_gpu_requested(ctx: Context) -> Iterator[Problem]:
    """A NIM is a GPU-accelerated inference microservice; with no GPU it does not start. The
    document says of `gpuPortionRequest`: "The default is no allocated GPUs", so a create
    request with no `gpuDevicesRequest` (or 0) and no positive `gpuPortionRequest` or
    `gpuMemoryRequest` gets no GPU. Create requests only: an update without GPU fields keeps
    the service's GPUs. A negative amount breaks the schema's `minimum: 0` and is the
    schema's finding (S004) alone.
    """
    spec = ctx.get("/spec")
    compute = spec.get("compute") if isinstance(spec, dict) else None
    if not isinstance(spec, dict) or (present(compute) and not isinstance(compute, dict)):
        return
    fields = compute or {}
    amounts = _gpu_amounts(fields)
    if amounts is None or any(amount != 0 for amount in amounts) or _awaits_request(fields):
        return
    if present(fields.get("gpuDevicesRequest")):
        message = "spec.compute.gpuDevicesRequest is 0 and no GPU portion or memory is requested"
        yield Problem(f"{COMPUTE}/gpuDevicesRequest", f"{message}; a NIM needs a GPU")
    elif "compute" in spec:
        message = (
            "spec.compute requests no GPU and a NIM needs one: set gpuDevicesRequest "
            "(or a gpuPortionRequest or gpuMemoryRequest above 0)"
        )
        yield Problem(COMPUTE, message, "key")
    else:
        message = "spec requests no GPU and a NIM needs one: set compute.gpuDevicesRequest"
        yield Problem("/spec", message, "key")


def _limit_below_request(ctx: Context, request: str, limit: str) -> Iterator[Problem]:
    """Report ``limit`` when both are quantities and it is below ``request``."""
    compute = _compute(ctx)
    if compute is None:
        return
    low, high = _quantity(compute.get(request)), _quantity(compute.get(limit))
    if low is not None and high is not None and high < low:
        pointer = f"{COMPUTE}/{limit}"
        yield Problem(
            pointer,
            f"{field_name(pointer)} ({clip(str(high))}) must be >= spec.compute.{request} "
            f"({clip(str(low))})",
        )


@RULES.rule(
    "R002",
    name="cpu-memory-limit-below-request",
    severity="error",
    summary="cpuMemoryLimit must be >= cpuMemoryRequest (compared as Kubernetes quantities).",
    bad="""
    spec:
      compute: {cpuMemoryRequest: 16Gi, cpuMemoryLimit: 16G}
    """,
    good="""
    spec:
      compute: {cpuMemoryRequest: 1536Mi, cpuMemoryLimit: 1.5Gi}
    """,
)
def cpu_memory_limit_below_request(ctx: Context) -> Iterator[Problem]:
    """The document says `cpuMemoryRequest` is "The amount of CPU memory to allocate for this
    workload (1G, 20M, .etc). The workload will receive at least this amount of memory" and
    `cpuMemoryLimit` that "this workload will not be able to consume more than this amount of
    memory". They become the container's memory request and limit, and Kubernetes rejects a
    request above its limit (`validateResourceRequirements` in
    `pkg/apis/core/validation/validation.go`: "must be less than or equal to memory limit").

    Compared exactly as `resource.Quantity` values: `16G` (16·10⁹) is less than `16Gi`
    (16·2³⁰), `1536Mi` equals `1.5Gi`, `1e9` equals `1G`.
    """
    yield from _limit_below_request(ctx, "cpuMemoryRequest", "cpuMemoryLimit")


@RULES.rule(
    "R003",
    name="gpu-memory-limit-below-request",
    severity="error",
    summary="gpuMemoryLimit must be >= gpuMemoryRequest (compared as Kubernetes quantities).",
    bad="""
    spec:
      compute: {gpuRequestType: memory, gpuMemoryRequest: 1Gi, gpuMemoryLimit: 1G}
    """,
    good="""
    spec:
      compute: {gpuRequestType: memory, gpuMemoryRequest: 1G, gpuMemoryLimit: 1Gi}
    """,
)
def gpu_memory_limit_below_request(ctx: Context) -> Iterator[Problem]:
    """The document says of `gpuMemoryLimit`: "The system guarantees The gpuMemoryLimit must be
    no less than gpuMemoryRequest."

    Compared exactly as `resource.Quantity` values: `1G` (10⁹ bytes) is less than `1Gi`
    (2³⁰ bytes), `1536Mi` equals `1.5Gi`.
    """
    yield from _limit_below_request(ctx, "gpuMemoryRequest", "gpuMemoryLimit")


def _document_quantities(ctx: Context) -> Iterator[tuple[str, str]]:
    """(pointer, text) of each quantity field holding a string the document's pattern accepts."""
    for pointer in QUANTITY_FIELDS:
        value = ctx.get(pointer)
        if _matches_document(value):
            yield pointer, value


@RULES.rule(
    "R005",
    name="invalid-quantity",
    severity="error",
    summary="A memory or size string the document's pattern accepts but Kubernetes does not.",
    bad="""
    spec:
      compute: {cpuMemoryRequest: 16mi}
    """,
    good="""
    spec:
      compute: {cpuMemoryRequest: 16Mi}
    """,
)
def invalid_quantity(ctx: Context) -> Iterator[Problem]:
    """`cpuMemoryRequest`, `cpuMemoryLimit`, `gpuMemoryRequest`, `gpuMemoryLimit` and
    `modelStore.pvc.claimInfo.size` are Kubernetes quantities ("1G, 20M, .etc"), but the
    document's pattern `^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$` is looser than
    Kubernetes' `ParseQuantity` (k8s.io/apimachinery `pkg/api/resource/quantity.go`): it
    accepts `1.2.3Gi`, `1mi`, `1Kii`, `1e`, which Kubernetes rejects. The cluster's grammar
    wins: such a value cannot become a container resource or a PVC size.

    Strings the pattern itself rejects (negative quantities such as `-1Gi`, spaces, the `GB`
    that `claimInfo.size` "recommends") are reported by S003.
    """
    for pointer, text in _document_quantities(ctx):
        try:
            parse_quantity(text)
        except QuantityError as exc:
            yield Problem(pointer, f"{field_name(pointer)}: {exc}")


def _fraction_message(pointer: str, quantity: Quantity) -> str:
    """Say why a byte quantity is fractional, suggesting Mi for an ``m`` suffix."""
    amount = _bytes(quantity)
    unit = "byte" if amount == "1" else "bytes"
    head = f"{field_name(pointer)} {show(quantity.text)} is {amount} {unit}"
    if not is_milli_memory(quantity):
        return f"{head}; a byte count must be a whole number"
    words = SUFFIX_WORDS[quantity.suffix]
    if quantity.suffix != "m":
        return f'{head} ("{quantity.suffix}" means {words})'
    number = quantity.text[:-1]
    return f'{head} ("m" means milli); did you mean {number}Mi or {number}M?'


@RULES.rule(
    "R006",
    name="fractional-bytes",
    severity="warning",
    summary="A memory or size quantity in fractions of a byte (512m is 0.512 bytes).",
    bad="""
    spec:
      compute: {cpuMemoryRequest: 512m}
    """,
    good="""
    spec:
      compute: {cpuMemoryRequest: 512Mi}
    """,
)
def fractional_bytes(ctx: Context) -> Iterator[Problem]:
    """Memory and PVC sizes count bytes. The `m` suffix is milli, not mega: `512m` is 0.512
    bytes, almost surely a typo for `512Mi` or `512M`. Kubernetes accepts such a value but
    warns: "fractional byte value ... is invalid, must be an integer" (`pkg/api/pod/
    warnings.go`, for memory requests and limits). Applies to `cpuMemoryRequest`,
    `cpuMemoryLimit`, `gpuMemoryRequest`, `gpuMemoryLimit` and
    `modelStore.pvc.claimInfo.size`, whenever the suffix is `m`, `u` or `n` or the value is
    not a whole number of bytes (`1.5`).
    """
    for pointer, text in _document_quantities(ctx):
        quantity = _quantity(text)
        if quantity and (is_milli_memory(quantity) or not quantity.is_whole):
            yield Problem(pointer, _fraction_message(pointer, quantity))


@RULES.rule(
    "R007",
    name="pvc-size-not-positive",
    severity="error",
    summary="modelStore.pvc.claimInfo.size must be greater than zero.",
    bad="""
    spec:
      modelStore:
        pvc:
          claimInfo: {size: "0"}
    """,
    good="""
    spec:
      modelStore:
        pvc:
          claimInfo: {size: 50Gi}
    """,
)
def pvc_size_not_positive(ctx: Context) -> Iterator[Problem]:
    """The document calls `claimInfo.size` the "Requested size for the PVC". It becomes the
    claim's `resources.requests.storage`, which Kubernetes requires to be positive
    (`ValidatePersistentVolumeClaimSpec` calls `ValidatePositiveQuantityValue`: "must be
    greater than zero").
    """
    pointer = QUANTITY_FIELDS[-1]
    quantity = _quantity(ctx.get(pointer))
    if quantity is not None and quantity.nanos <= 0:
        yield Problem(
            pointer, f"{field_name(pointer)} ({clip(str(quantity))}) must be greater than zero"
        )
