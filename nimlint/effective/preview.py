"""PATCH preview: an update body applied to the service it changes (``check --base``).

The update is applied in the order ``docs/preview.md`` documents: every field named in
``fieldsToRemove`` is removed from the base spec; ``spec`` is merged into the base spec; then
"replicas and autoscaling are mutually exclusive - adding one automatically removes the
other", so the one the update sets removes the base's other.

ASSUMPTION (stated here and in docs/preview.md only): the Run:ai document does not say how
deep an update's ``spec`` merges. nimlint reads it as a nested merge: mappings merge key by
key at every depth, lists and scalars replace, and a ``null`` keeps the base value (removal
is what ``fieldsToRemove`` is for). ``merge.merge`` with ``replace_lists`` is that reading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from nimlint.effective.merge import Effective, Layer, merge
from nimlint.effective.placement import LayeredView, known_findings
from nimlint.engine.context import MISSING, lookup, present
from nimlint.engine.functions import same
from nimlint.files import NotRegularFile, read_regular
from nimlint.findings import Placed, Problem
from nimlint.loading.model import Document, escape_token
from nimlint.loading.source import MAX_FILE_BYTES, decode, documents
from nimlint.messages import show
from nimlint.schema.kinds import detect_kind

EXCLUSIVE = ("replicas", "autoscaling")  # adding one automatically removes the other
KIND = "create"  # the merged body is a whole service, linted like a create request


class BaseError(ValueError):
    """A base file that cannot be used: names the file and the reason."""


def load_layer(path: Path, what: str, role: str = "") -> Layer:
    """The one mapping document of file ``path`` as a layer; ``what`` names it in errors."""
    try:
        raw = read_regular(path, MAX_FILE_BYTES, confined=True)
    except NotRegularFile:
        raise BaseError(f"{path}: {what} is not a regular file") from None
    except OSError as exc:
        raise BaseError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    text = decode(raw)
    if not isinstance(text, str):
        raise BaseError(f"{path}: {what} not usable: {text.message}")
    found = list(documents(text, is_json=path.suffix == ".json"))
    failure = next((d for d in found if not isinstance(d, Document)), None)
    if failure is not None:
        where = f"{path}:{failure.span.line}:{failure.span.column}"
        raise BaseError(f"{where}: {what} is not valid YAML/JSON: {failure.message}")
    if len(found) != 1 or not isinstance(found[0].data, dict):
        raise BaseError(f"{path}: {what} must be one YAML/JSON mapping")
    return Layer(str(path), found[0], role)


def load_base(path: Path) -> Layer:
    """The service body at ``path`` (a GET response or a create body), as a layer."""
    layer = load_layer(path, "base", "base")
    data = layer.document.data
    if not isinstance(data.get("spec"), dict) or detect_kind(data) == "update":
        raise BaseError(
            f"{path}: base is not a NIM service body (a GET response or a create body "
            "with a 'spec' mapping)"
        )
    return layer


class Preview:
    """Updates applied to one running service: a view of each update, checked as the service
    it yields and placed in the update's file. ``layer`` (optional) folds more layers into
    that service (a policy's defaults, ``nimlint.policy.document.PolicyLayer``)."""

    def __init__(self, base: Layer, check: Callable[[Any, str], Iterable], layer=None):
        self.base, self.layer = base, layer

        def whole(data: Any) -> list:
            extra = list(layer.problems()) if layer is not None else []
            return [*check(data, KIND), *extra]

        self.known = known_findings(whole, self._extended(Effective.of(base)))

    def _extended(self, service: Effective) -> Effective:
        return self.layer.extend(service) if self.layer is not None else service

    def view(self, doc: Document, name: str) -> LayeredView:
        """The service once update ``doc`` (from file ``name``) is applied."""
        update = Layer(name, doc)
        merged = apply_update(self.base, update)
        service = self._extended(merged)
        extra = list(self.layer.problems()) if self.layer is not None else []
        direct = [
            Placed(rule, doc.span(p.pointer, p.at), p.message, p.pointer, None, doc.index)
            for rule, p in immutable_changes(self.base, update, merged)
        ]
        rebuild = lambda sent: self._extended(apply_update(self.base, update, sent))  # noqa: E731
        return LayeredView(KIND, service, update, self.known, extra, direct, rebuild)


def apply_update(base: Layer, update: Layer, sent: Effective | None = None) -> Effective:
    """The service as it will be once ``update`` is applied to ``base`` (``sent``: the
    update's body, when another than its file's)."""
    sent = Effective.of(update) if sent is None else sent
    result = Effective.of(base)
    for name in _removed(sent.data):
        result = result.without(f"/spec/{escape_token(name)}")
    changes = sent.without("/fieldsToRemove")
    result = merge(result, changes)
    spec = lookup(sent.data, "/spec")
    for field, other in (EXCLUSIVE, EXCLUSIVE[::-1]):
        if isinstance(spec, dict) and present(spec.get(field)) and other not in spec:
            result = result.without(f"/spec/{other}")
    return result


def _removed(update: Any) -> list[str]:
    names = lookup(update, "/fieldsToRemove")
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


RECREATE = "; delete the NIM service and create it again to change it"


def immutable_changes(base: Layer, update: Layer, merged: Effective) -> Iterator[tuple]:
    """B001 (spec.multiNode) and B002 (an operator-created PVC) changed or removed."""
    before = base.document.data["spec"]
    after = merged.data.get("spec") if isinstance(merged.data, dict) else None
    after = after if isinstance(after, dict) else {}
    multi_before, multi_after = before.get("multiNode"), after.get("multiNode")
    if not same(multi_before, multi_after):
        pointer = _touching(update, "multiNode", "/spec/multiNode", multi_before, multi_after)
        running = (
            f"{show(multi_before)} at {base.name}:{base.line_of('/spec/multiNode')}"
            if multi_before is not None
            else f"not set in {base.name}"
        )
        message = (
            "spec.multiNode is immutable once the resource is created (running: "
            f"{running}; after this update: {show(multi_after)}){RECREATE}"
        )
        yield "B001", Problem(pointer, message)
    pvc_before = lookup(before, "/modelStore/pvc")
    pvc_after = lookup(after, "/modelStore/pvc")
    created = isinstance(pvc_before, dict) and pvc_before.get("existingPvc") is not True
    if created and not same(pvc_before, pvc_after):
        pointer = _touching(update, "modelStore", "/spec/modelStore/pvc", pvc_before, pvc_after)
        message = (
            "spec.modelStore.pvc is immutable once the service has created its PVC "
            f"(existingPvc is not true in {base.name}:{base.line_of('/spec/modelStore/pvc')})"
            f"{RECREATE}"
        )
        yield "B002", Problem(pointer, message)


def _touching(update: Layer, removable: str, pointer: str, before, after) -> str:
    """Where the update changes ``pointer``: its fieldsToRemove entry, or the first field of
    its spec whose value differs."""
    names = lookup(update.document.data, "/fieldsToRemove")
    if isinstance(names, list) and removable in names:
        return f"/fieldsToRemove/{names.index(removable)}"
    return _first_change(lookup(update.document.data, pointer), before, after, pointer)


def _first_change(sent, before, after, pointer: str) -> str:
    if isinstance(sent, dict) and isinstance(after, dict):
        for key, value in sent.items():
            old = before.get(key, MISSING) if isinstance(before, dict) else MISSING
            new = after.get(key, MISSING)
            if not same(old, new):
                return _first_change(value, old, new, f"{pointer}/{escape_token(key)}")
    return pointer
