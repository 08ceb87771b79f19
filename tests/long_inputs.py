"""Every pattern that sees user input, on 100,000-character inputs (run by test_hostile_limits).

Run as ``python -m tests.long_inputs``: hypothesis builds long strings from runs of the
characters the grammars care about, and each parser must give the right answer. Nothing is
timed here; the caller's subprocess timeout catches a pattern that backtracks quadratically.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nimlint.checks.compute import DOCUMENT_PATTERN
from nimlint.checks.environment import config_key_errors, is_secret_name
from nimlint.engine.suppressions import parse_directives
from nimlint.k8s import names
from nimlint.k8s.image import ImageReferenceError, parse_image_reference
from nimlint.k8s.quantity import QuantityError, parse_quantity
from nimlint.loading.layout import Layout
from nimlint.loading.scalars import resolve_plain, yaml11_reading
from nimlint.messages import MAX_QUOTED
from tests import profiles

profiles.load()  # a child process: no conftest loads it
LENGTH = 100_000
PIECES = (
    "1", "0", "9", ".", "a", "A", "z", "-", "_", "e", "E", "Ki", "m", "+", ":", "/", "@", "a.",
    "a-", "a_", "a__", "1.", "1:", "1_", "$(", ")", "=", "#", " ", "!", "x", "sha256:", "0x",
)  # fmt: skip
RULE_PATTERNS = [
    re.compile(rule["regex"])
    for path in sorted((Path(__file__).parents[1] / "rules").glob("*.yaml"))
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    for rule in [entry.get("options") or {}]
    if "regex" in rule
]
WORST = [
    "1" * LENGTH + "!",
    "1" * (LENGTH // 2) + "e" + "1" * (LENGTH // 2) + "!",
    "a." * (LENGTH // 2) + "!",
    "a-" * (LENGTH // 2) + "!",
    "a" * LENGTH + "_TOKEN!",
]


@st.composite
def long_texts(draw) -> str:
    runs = draw(
        st.lists(st.tuples(st.sampled_from(PIECES), st.floats(0, 1)), min_size=1, max_size=5)
    )
    total = sum(share for _, share in runs) or 1
    text = "".join(piece * int(LENGTH * share / total / len(piece)) for piece, share in runs)
    return text + draw(st.sampled_from(["", "!", "Gi", "e5", "-", ":", "a"]))


def document_pattern_accepts(text: str) -> bool:
    """The document's ``[+]?[0-9.]+[eEinumkKMGTP]*[-+]?[0-9]*``, scanned by hand."""
    i, n = (1 if text.startswith("+") else 0), len(text)
    start = i
    while i < n and text[i] in "0123456789.":
        i += 1
    if i == start:
        return False
    while i < n and text[i] in "eEinumkKMGTP":
        i += 1
    if i < n and text[i] in "+-":
        i += 1
    while i < n and text[i] in "0123456789":
        i += 1
    return i == n


def short(message: str) -> bool:
    return len(message) < 3 * MAX_QUOTED


@settings(max_examples=40, deadline=None, database=None)
@given(long_texts())
@example(WORST[0])
@example(WORST[1])
@example(WORST[2])
@example(WORST[3])
@example(WORST[4])
def check(text: str) -> None:
    assert (DOCUMENT_PATTERN.fullmatch(text) is not None) == document_pattern_accepts(text)
    try:
        parse_quantity(text)
    except QuantityError as exc:
        assert short(str(exc))
    try:
        parse_image_reference(text)
    except ImageReferenceError as exc:
        assert short(str(exc))
    for validate in (
        names.qualified_name_errors,
        names.label_value_errors,
        names.dns1123_label_errors,
        names.dns1123_subdomain_errors,
        names.dns1035_label_errors,
        names.env_var_name_errors,
        config_key_errors,
    ):
        assert all(short(message) for message in validate(text))
    names.env_var_name_is_portable(text)
    suffix = re.search(r"_(token|password|secret|api_key)\Z", text, re.IGNORECASE)
    assert is_secret_name(text) == bool(suffix and suffix.start() > 0)
    for pattern in RULE_PATTERNS:
        pattern.fullmatch(text)
    with contextlib.suppress(ValueError):  # NotJSONNumber
        resolve_plain(text)
    yaml11_reading(text)
    directives, invalid = parse_directives(f"a: 1 # nimlint: disable={text}\n", Layout(), bool)
    assert all(short(i.message) for i in invalid) and len(directives) <= 1


if __name__ == "__main__":
    check()
