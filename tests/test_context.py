"""The rule context: cached lookups and glob expansions agree with plain pointer walking."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from nimlint.engine.context import MISSING, Context, below, lookup, without_unset

TOKENS = st.sampled_from(["spec", "a", "b", "0", "1", "", "a~1b", "x~0", "10"])
DATA = st.recursive(
    st.none() | st.integers() | st.text(max_size=2),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["spec", "a", "b", "", "a/b", "x~"]), inner, max_size=3)
    ),
    max_leaves=15,
)
POINTERS = st.lists(TOKENS, max_size=4).map(lambda tokens: "".join("/" + t for t in tokens))
GLOBS = st.lists(TOKENS | st.just("*"), max_size=4).map(
    lambda tokens: "".join("/" + t for t in tokens)
)


def naive_each(data: Any, glob: str) -> list[tuple[str, Any]]:
    """Every (pointer, value) under ``data`` matching ``glob``: all pointers, then filtered."""
    found = []

    def walk(node: Any, pointer: str, tokens: list[str]) -> None:
        if not tokens:
            found.append((pointer, node))
            return
        head, rest = tokens[0], tokens[1:]
        if head == "*":
            pairs = (
                node.items()
                if isinstance(node, dict)
                else enumerate(node)
                if isinstance(node, list)
                else ()
            )
            for key, child in pairs:
                escaped = str(key).replace("~", "~0").replace("/", "~1")
                walk(child, f"{pointer}/{escaped}", rest)
        else:
            child = lookup(node, "/" + head)
            if child is not MISSING:
                walk(child, f"{pointer}/{head}", rest)

    walk(data, "", glob.split("/")[1:] if glob else [])
    return found


@given(DATA, st.lists(POINTERS, max_size=6))
def test_cached_gets_equal_plain_lookups_in_any_order(data: Any, pointers: list[str]) -> None:
    context = Context(data, "create")
    for pointer in pointers:  # the cache fills with parents as it goes: order must not matter
        assert context.get(pointer) is lookup(context.data, pointer)
    assert context.data == without_unset(data)


@given(DATA, st.lists(TOKENS, min_size=1, max_size=4).map("/".join))
def test_a_relative_path_is_the_pointer_below(data: Any, path: str) -> None:
    assert below(data, path) is lookup(data, "/" + path)


@given(DATA, st.lists(GLOBS | POINTERS, max_size=6))
def test_each_finds_what_a_naive_walk_finds(data: Any, globs: list[str]) -> None:
    context = Context(data, "create")
    for glob in globs:
        assert list(context.each(glob)) == naive_each(without_unset(data), glob)


def test_a_pointer_without_a_leading_slash_is_looked_up_as_before() -> None:
    data = {"spec": {"a": 1}, "a": 2}
    assert Context(data, "create").get("spec/a") == lookup(data, "spec/a") == 2


def test_a_very_deep_pointer_is_looked_up_without_deep_recursion() -> None:
    data: dict = {}
    node = data
    for _ in range(3000):
        node["a"] = node = {}
    node["set"] = 1  # a chain of empty objects would be unset
    pointer = "/a" * 3000
    assert Context(data, "create").get(pointer) is node
    assert list(Context(data, "create").each(pointer + "/*")) == [(pointer + "/set", 1)]


def _unset_inside(value: Any) -> bool:
    """Does ``value`` hold a null field, or an object of nothing, anywhere below?"""
    if isinstance(value, dict):
        return any(v is None or v == {} or _unset_inside(v) for v in value.values())
    if isinstance(value, list):
        return any(_unset_inside(item) for item in value)
    return False


@given(DATA)
def test_rules_see_no_unset_field_below_the_top_level(data: Any) -> None:
    seen = without_unset(data)
    if isinstance(data, dict):
        assert seen.keys() == data.keys()
        assert not any(_unset_inside(value) for value in seen.values())
        if not any(_unset_inside(value) for value in data.values()):
            assert seen is data
    else:
        assert seen is data


def test_unset_fields_and_objects_of_them_are_dropped_entries_stay() -> None:
    data = {
        "spec": {"a": None, "b": {"c": None, "d": {}}, "e": [{"f": None}, None, 1], "g": 0},
        "metadata": {},
        "x": None,
    }
    assert without_unset(data) == {
        "spec": {"e": [{}, None, 1], "g": 0},
        "metadata": {},
        "x": None,
    }
