"""Python rules: serving port and readiness probe (N...)."""

from __future__ import annotations

from collections.abc import Iterator

from nimlint.engine.context import Context, as_int
from nimlint.engine.functions import missing_problem
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem

RULES = RuleSet()


@RULES.rule(
    "N001",
    name="serving-port-required",
    severity="error",
    summary="A create request must set spec.servingPort.port.",
    bad="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      servingPort:
        metricsPort: 8002
    """,
    good="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      servingPort:
        port: 8000
    """,
    kinds=("create",),
)
def serving_port_required(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document describes `servingPort.port` as "The port that the container
    running the inference service exposes (mandatory)." Without it nothing tells the
    platform where the NIM listens: the Service, the exposed URL and the probes all need
    it. Unlike `probes`, `autoscaling` or `modelStore`, `servingPort` is not among the
    fields an update can remove (`fieldsToRemove`): every service has one. The NIM
    Operator's CRD would default a missing port to 8000, but Run:ai documents the port
    as mandatory and does not say it fills in that default, so state it.

    Checked on create requests, including those without any `servingPort`: the finding
    is on `spec` then, and on `spec.servingPort` when only the port is missing. Updates
    are PATCH requests that may change `servingPort.exposeExternally` alone and keep the
    port already set, so they are not checked.
    """
    yield from missing_problem(
        ctx.get("/spec"), "/spec", "servingPort/port", " (the port the NIM listens on)"
    )


@RULES.rule(
    "N002",
    name="serving-port-conflict",
    severity="error",
    summary="servingPort.grpcPort (or metricsPort) reuses another serving port number.",
    bad="""
    spec:
      servingPort:
        port: 8000
        grpcPort: 8000
    """,
    good="""
    spec:
      servingPort:
        port: 8000
        grpcPort: 50051
        metricsPort: 8002
    """,
)
def serving_port_conflict(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document gives the service up to three ports: `port`, "The port that
    the container running the inference service exposes (mandatory).", `grpcPort`, "The
    GRPC port that the container running the inference service exposes.", and
    `metricsPort`, "The port where metrics are exposed". The NIM Operator turns each one
    that is set into its own container port and its own Service port (named `api`,
    `grpc` and `metrics`), and Kubernetes rejects a Service that lists the same
    (protocol, port) pair twice: `ValidateService` in
    `pkg/apis/core/validation/validation.go` reports a duplicate after "Check for
    duplicate Ports, considering (protocol,port) pairs". The request is accepted, but
    the service is never created.

    Reported: `grpcPort` equal to `port`, and `metricsPort` equal to `grpcPort`. A
    `metricsPort` equal to `port` is rule N003 (a warning: the document says the metrics
    port is "required only if it's different than the main port").
    """
    ports = ctx.get("/spec/servingPort")
    if not isinstance(ports, dict):
        return
    port, grpc, metrics = (as_int(ports.get(k)) for k in ("port", "grpcPort", "metricsPort"))
    if grpc is not None and grpc == port:
        yield _conflict("grpcPort", grpc, "port")
    if metrics is not None and metrics == grpc and metrics != port:
        yield _conflict("metricsPort", metrics, "grpcPort")


def _conflict(field: str, value: int, other: str) -> Problem:
    return Problem(
        f"/spec/servingPort/{field}",
        f"spec.servingPort.{field} ({value}) is also spec.servingPort.{other}: give each "
        "port its own number (Kubernetes rejects a Service with a repeated port)",
    )


@RULES.rule(
    "N006",
    name="readiness-probe-handler-required",
    severity="error",
    summary="A readiness probe needs handler.httpGet.",
    bad="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      probes:
        readiness:
          periodSeconds: 10
    """,
    good="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      probes:
        readiness:
          periodSeconds: 10
          handler:
            httpGet:
              path: /v1/health/ready
              port: 8000
    """,
    kinds=("create",),
)
def readiness_handler_required(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document describes the probe's `handler` as "The action taken to
    determine the health of the container. (mandatory)", and its only action is
    `httpGet` ("An action based on HTTP Get requests."). Kubernetes rejects a probe
    without an action: `validateHandler` in `pkg/apis/core/validation/validation.go`
    reports "must specify a handler type". So a readiness probe needs `handler`, and a
    `handler` needs `httpGet`.

    Checked on create requests only: an update is a PATCH that may change
    `periodSeconds` alone and keep the handler already set.
    """
    readiness = "/spec/probes/readiness"
    yield from missing_problem(
        ctx.get(readiness), readiness, "handler/httpGet", " (the probe's action is mandatory)"
    )


@RULES.rule(
    "N009",
    name="grpc-port-makes-grpc-default",
    severity="info",
    summary="servingPort.grpcPort without exposedProtocol: the exposed URL defaults to gRPC.",
    bad="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      servingPort:
        port: 8000
        grpcPort: 50051
    """,
    good="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      servingPort:
        port: 8000
        grpcPort: 50051
        exposedProtocol: http
    """,
    kinds=("create",),
)
def grpc_port_makes_grpc_default(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says of `exposedProtocol`: "The protocol to use for the exposed
    URL. If grpcPort is set, this defaults to grpc. Otherwise, it defaults to http." Adding
    a `grpcPort` to a service that is reached over HTTP (an OpenAI-compatible NIM) quietly
    switches its exposed URL to gRPC. The request is valid, so this is information: set
    `exposedProtocol: http` to keep HTTP, or `exposedProtocol: grpc` to say it is meant.

    Checked on create requests: an update is a PATCH, and the running service may already
    have an `exposedProtocol`. A `null` value is unset ("Null means not set").
    """
    ports = ctx.get("/spec/servingPort")
    if not isinstance(ports, dict) or as_int(ports.get("grpcPort")) is None:
        return
    if ports.get("exposedProtocol") is None:
        yield Problem(
            "/spec/servingPort/grpcPort",
            "spec.servingPort.grpcPort is set and exposedProtocol is not, so the exposed URL "
            'uses gRPC (the document: "If grpcPort is set, this defaults to grpc"); to keep '
            "HTTP set exposedProtocol: http, or set exposedProtocol: grpc to say so",
        )
