"""Python rules: the container image (reference syntax, pinning, NGC pull credentials)."""

from __future__ import annotations

from collections.abc import Iterator

from nimlint.engine.context import Context, present
from nimlint.engine.python_rules import RuleSet
from nimlint.findings import Problem
from nimlint.k8s.image import ImageReference, ImageReferenceError, parse_image_reference
from nimlint.messages import show

RULES = RuleSet()

IMAGE = "/spec/image"
NGC_REGISTRY = "nvcr.io"


IMAGE_MAX_LENGTH = 253  # the document's maxLength for spec.image


def _image(ctx: Context) -> str | None:
    """spec.image when it is a non-empty string (the schema reports other values)."""
    image = ctx.get(IMAGE)
    return image if isinstance(image, str) and image else None


def _reference(ctx: Context) -> ImageReference | None:
    """The parsed spec.image, or None when it is unset or invalid (I002 reports that)."""
    image = _image(ctx)
    try:
        return parse_image_reference(image) if image else None
    except ImageReferenceError:
        return None


@RULES.rule(
    "I002",
    name="image-reference-invalid",
    severity="error",
    summary="spec.image must be a valid container image reference.",
    bad="""
    spec:
      image: nvcr.io/NIM/meta/llama-3.1-8b-instruct:1.3.3
    """,
    good="""
    spec:
      image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3
    """,
)
def image_reference_invalid(ctx: Context) -> Iterator[Problem]:
    """The Run:ai document says only "Docker image name. For more information, see
    [Images](https://kubernetes.io/docs/concepts/containers/images)" and gives the field
    `pattern: ".*"`, so any string passes the schema.

    What the cluster enforces is stricter. The API server rejects an image with leading or
    trailing whitespace (`validateContainerOnlyForPod`, `pkg/apis/core/validation/
    validation.go`); anything else is admitted, but the kubelet parses the reference with
    distribution/reference (`applyDefaultImageTag` -> `ParseNormalizedNamed`) and a
    reference that does not parse never starts: the container waits in `InvalidImageName`
    ("couldn't parse image reference ... invalid reference format: repository name must
    be lowercase"). The service can never run, so this is an error.

    The grammar is distribution/reference's: `[domain[:port]/]path[:tag][@digest]`, a
    lowercase path, a tag of at most 128 characters, a digest of a known algorithm.
    An image longer than the document's `maxLength: 253` is the schema's finding (S005)
    alone: one finding per problem.
    """
    image = _image(ctx)
    if image is None or len(image) > IMAGE_MAX_LENGTH:
        return
    if image != image.strip():
        yield Problem(
            IMAGE, f"spec.image {show(image)} must not have leading or trailing whitespace"
        )
        return
    try:
        parse_image_reference(image)
    except ImageReferenceError as exc:
        yield Problem(IMAGE, f"spec.image {show(image)} is not a valid image reference: {exc}")


@RULES.rule(
    "I003",
    name="image-tag-unpinned",
    severity="warning",
    summary="spec.image has no tag or uses :latest; pin a version tag or a digest.",
    bad="""
    spec:
      image: nvcr.io/nim/meta/llama-3.1-8b-instruct:latest
    """,
    good="""
    spec:
      image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3
    """,
)
def image_tag_unpinned(ctx: Context) -> Iterator[Problem]:
    """An image without a tag is pulled as `:latest`, and `:latest` names whatever was
    pushed last: replicas started on different days can run different models or
    runtimes, and a rollback cannot bring the old version back.

    The Run:ai document adds a cost: `imagePullPolicy` "Defaults to `Always` if `:latest`
    tag is specified, otherwise it is `IfNotPresent`." Kubernetes does the same for an
    image with no tag at all (`SetDefaults_Container` in `pkg/apis/core/v1/defaults.go`
    takes the tag from `parsers.ParseImageName`, which reports `latest` when neither a tag
    nor a digest is given), so every pod start pulls the multi-gigabyte NIM image again.

    An image pinned by digest (`@sha256:...`) is not reported, even with a `:latest` tag:
    the digest decides what runs.
    """
    reference = _reference(ctx)
    if reference is None or reference.digest is not None:
        return
    if reference.tag is None:
        problem = "has no tag, so it runs whatever :latest is at pull time"
    elif reference.tag == "latest":
        problem = "uses :latest, which runs whatever was pushed last"
    else:
        return
    note = (
        ""
        if present(ctx.get("/spec/imagePullPolicy"))
        else " (imagePullPolicy then defaults to Always)"
    )
    yield Problem(
        IMAGE, f"spec.image {show(str(reference))} {problem}; pin a version tag or a digest{note}"
    )


def _has_pull_secret(ctx: Context) -> bool:
    """Whether spec.imagePullSecrets lists a named secret that is not excluded."""
    secrets = ctx.get("/spec/imagePullSecrets")
    return isinstance(secrets, list) and any(
        isinstance(s, dict) and present(s.get("name")) and s.get("exclude") is not True
        for s in secrets
    )


@RULES.rule(
    "I004",
    name="ngc-image-without-credentials",
    severity="warning",
    summary="An nvcr.io image with neither imagePullSecrets nor ngcAuthSecret.",
    bad="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3
    """,
    good="""
    metadata:
      name: llama3-8b-instruct
      projectId: "1"
    spec:
      image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3
      ngcAuthSecret: ngc-api-secret
    """,
    kinds=("create", "response"),
)
def ngc_image_without_credentials(ctx: Context) -> Iterator[Problem]:
    """NIM images on NGC (`nvcr.io`) are not public: pulling them needs NGC credentials.
    The Run:ai document offers two places for them: `imagePullSecrets`, "A list of
    references to Kubernetes secrets in the same namespace used for pulling container
    images", and `ngcAuthSecret`, "The name of a Kubernetes secret containing the NGC
    access credentials. The secret must contain a key named NGC_API_KEY with the API key as
    the value." Without either, the pod is admitted and then stays in `ErrImagePull` /
    `ImagePullBackOff`.

    The document does not say whether `ngcAuthSecret` alone is used for the image pull (it
    is the NGC API key the NIM needs to download models), so the rule only warns when
    neither is set. Entries of `imagePullSecrets` with `exclude: true` do not count.

    Update requests are not checked: a PATCH keeps the fields it does not mention, so the
    secrets may already be set on the service.
    """
    reference = _reference(ctx)
    if reference is None or reference.registry.lower() != NGC_REGISTRY:
        return
    if present(ctx.get("/spec/ngcAuthSecret")) or _has_pull_secret(ctx):
        return
    yield Problem(
        "/spec",
        f"spec.image pulls from {NGC_REGISTRY} but spec has neither imagePullSecrets nor "
        "ngcAuthSecret: NGC images need credentials to pull",
        "key",
    )
