"""Unknown keys (with a "did you mean") and YAML 1.1 readings where a string is wanted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from nimlint.findings import Problem, Repair
from nimlint.loading.model import Document, escape_token, unescape_token, value_at
from nimlint.messages import clip, field_name, json_type, show
from nimlint.schema.kinds import near_miss
from nimlint.schema.shape import Shape


def unknown_key_problems(data: Any, shape: Shape) -> Iterator[tuple[str, Problem]]:
    """Keys the schema does not define, wherever the schema lists the keys it knows."""
    stack: list[tuple[Any, Shape, str]] = [(data, shape, "")]
    while stack:
        value, node, pointer = stack.pop()
        if isinstance(value, dict):
            known = node.properties
            if known is None:
                continue
            targets = _rename_targets([k for k in value if k not in known], known, value)
            for key, child in value.items():
                sub = known.get(key)
                if sub is None:
                    key_pointer = f"{pointer}/{escape_token(key)}"
                    message = _unknown(key, pointer, known, shape)
                    repair = _rename(key, key_pointer, targets[key]) if key in targets else None
                    yield "S008", Problem(key_pointer, message, "key", repair)
                elif isinstance(child, (dict, list)):
                    stack.append((child, sub, f"{pointer}/{escape_token(key)}"))
        elif isinstance(value, list) and node.items is not None:
            items = node.items
            stack.extend(
                (item, items, f"{pointer}/{i}")
                for i, item in enumerate(value)
                if isinstance(item, (dict, list))
            )


def _unknown(key: str, parent: str, known: dict, root: Shape) -> str:
    where = field_name(parent) if parent else "the document root"
    folded = {k.lower(): k for k in known}
    match = folded.get(key.lower())
    if match is None:
        places = [p for p in places_of(root).get(key, ()) if p != field_name(parent)]
        if len(places) == 1:
            return f"unknown key {show(key)} in {where}: {key} belongs under {places[0]}"
        import difflib  # only when there is something to suggest

        match = next(iter(difflib.get_close_matches(key, list(known), n=1, cutoff=0.7)), None)
        if match is None and not parent:  # the root: the keys of every kind of body
            match = near_miss(key)
    hint = f"; did you mean {show(match)}?" if match else ""
    return f"unknown key {show(key)} in {where}{hint}"


_PLACES: dict[int, tuple[Shape, dict[str, list[str]]]] = {}


def places_of(root: Shape) -> dict[str, list[str]]:
    """Every key the schema defines -> the fields (``spec.compute``) whose mappings hold it."""
    cached = _PLACES.get(id(root))
    if cached is None or cached[0] is not root:
        places: dict[str, list[str]] = {}
        stack: list[tuple[Shape, str, frozenset]] = [(root, "", frozenset())]
        while stack:
            node, path, above = stack.pop()
            if id(node) in above:  # a recursive schema: stop at the repetition
                continue
            above = above | {id(node)}
            for key, child in (node.properties or {}).items():
                places.setdefault(key, []).append(path or "the document root")
                stack.append((child, f"{path}.{key}" if path else key, above))
            if node.items is not None:
                stack.append((node.items, f"{path}[*]", above))
        cached = _PLACES[id(root)] = (root, places)
    return cached[1]


def _rename_targets(unknown: list[str], known: dict, mapping: dict) -> dict[str, str]:
    """Each unknown key's rename: its only did-you-mean candidate, when the mapping lacks
    that key and no other unknown key of the mapping claims it (two renames to one name,
    or one onto a key already there, would lose a value)."""
    if not unknown:
        return {}
    import difflib  # only when there is something to suggest

    targets = {}
    for key in unknown:
        candidates = {k for k in known if k.lower() == key.lower()}
        candidates.update(difflib.get_close_matches(key, list(known), n=2, cutoff=0.7))
        if len(candidates) == 1:
            targets[key] = candidates.pop()
    claims = Counter(targets.values())
    return {
        key: target
        for key, target in targets.items()
        if claims[target] == 1 and target not in mapping
    }


def _rename(key: str, pointer: str, target: str) -> Repair:
    return Repair("rename", pointer, f"rename {show(key)} to {show(target)}", target)


# The YAML 1.1 booleans that PyYAML reads as strings (its resolver lists yes/no/on/off only).
_SPEC_ONLY_BOOLEANS = frozenset({"y", "Y", "n", "N"})


def yaml11_problems(document: Document, shape: Shape) -> Iterator[tuple[str, Problem]]:
    """Plain scalars that YAML 1.1 parsers read differently, where the schema wants a string."""
    for pointer, (text, reading) in document.yaml11.items():
        node = _shape_at(shape, pointer)
        if node is None or "string" not in node.types:
            continue
        if _said_by_s001(document.data, pointer, node):
            continue
        rule = "P008" if reading.startswith("boolean") else "P009"
        ours = _ours(document.data, pointer)
        if text in _SPEC_ONLY_BOOLEANS:  # PyYAML's resolver leaves out y and n
            theirs = f"YAML 1.1 lists it as {reading} (go-yaml v2 and other tools follow it)"
        else:
            theirs = f"YAML 1.1 parsers (PyYAML, go-yaml v2) as {reading}"
        yield (
            rule,
            Problem(
                pointer,
                f"unquoted {clip(text)} in {field_name(pointer)}: nimlint reads it as {ours} "
                f"(YAML 1.2), {theirs}; quote it: '{clip(text)}'",
                repair=Repair("quote", pointer, f"quote {clip(text)}"),
            ),
        )


def _said_by_s001(data: Any, pointer: str, node: Shape) -> bool:
    """Is the value read (YAML 1.2) as a number or boolean of a type the field does not take?
    Then S001 reports it, with the same quote-it advice: one problem, one finding."""
    value = value_at(data, pointer)
    if value is None or isinstance(value, str):
        return False
    kind = json_type(value)
    return kind not in node.types and not (kind == "integer" and "number" in node.types)


def _shape_at(shape: Shape, pointer: str) -> Shape | None:
    node: Shape | None = shape
    for token in pointer.split("/")[1:]:
        if node is None:
            return None
        node = node.child(unescape_token(token))
    return node


def _ours(data: Any, pointer: str) -> str:
    value = value_at(data, pointer)
    if value is None:
        return "a different value"
    return f"the string {clip(repr(value))}" if isinstance(value, str) else f"the number {value!r}"
