"""Safe means the fixed value is right.

A rule that declares safe fixes proposes a repair from one value alone. Two things can
still make the result wrong, and each makes the repair unsafe (applied only with
``--unsafe-fixes``, to be reviewed):

- the text and the value YAML reads disagree (``0x1F`` is 31, ``1e3`` is 1000.0, ``+4501``
  is 4501, ``0755`` is 755): quoting keeps the text, and nobody knows which was meant;
- the repaired value breaks the same rules (quoting ``-1`` as a label value, ``1`` as a
  priority class): the document is checked again with every value repair of the pass made,
  and a repair next to which a new finding appears (one without a safe fix of its own) is
  unsafe.

The messages of a quote say the text as written (``"0755"``, not the ``"755"`` YAML reads).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from nimlint.engine.context import lookup
from nimlint.engine.fix_edits import SourceText, plain_text
from nimlint.findings import Placed, Problem, Repair
from nimlint.loading.model import copied, unescape_token
from nimlint.messages import show

Check = Callable[[Any], Iterable[tuple[str, Problem]]]  # data -> (rule, problem) of each finding
TextAt = Callable[[str], "str | None"]
VALUE_OPS = ("quote", "replace")  # repairs that change a value (a removal cannot make one wrong)


def reviewed(
    placed: list[Placed], doc, source: SourceText, registry, check: Check | None
) -> list[Placed]:
    """``placed`` with quote messages as written and, given the ``check`` of a document's
    data (when fixes are wanted), the safe repairs that give a wrong value made unsafe."""
    text_at = functools.partial(plain_text, doc, source)
    placed = [as_written(p, doc.data, text_at) for p in placed]
    if check is None:
        return placed

    def safe(rule: str) -> bool:
        declared = registry.get(rule)
        return declared is not None and declared.fix == "safe"

    return rechecked(placed, doc.data, safe, text_at, check)


def as_written(placed: Placed, data: Any, text_at: TextAt) -> Placed:
    """``placed`` with a quote repair's messages saying the scalar's text as written."""
    repair = placed.repair
    if repair is None or repair.op != "quote":
        return placed
    value, text = lookup(data, repair.pointer), text_at(repair.pointer)
    read = show(value)
    if text is None or text == read or isinstance(value, str):
        return placed
    message = placed.message.replace(
        f"quote it: {json.dumps(read)}", f"quote it: {json.dumps(text)}"
    )
    fix = repair.message.replace(f"quote {read} ", f"quote {text} ")
    return placed._replace(message=message, repair=repair._replace(message=fix))


def disagrees(value: Any, text: str | None) -> bool:
    """Does the scalar ``text`` say something else than the ``value`` YAML reads from it
    (a number or boolean not written in its JSON form)?"""
    return not isinstance(value, str) and text is not None and text != json.dumps(value)


def rechecked(
    placed: list[Placed],
    data: Any,
    safe: Callable[[str], bool],
    text_at: TextAt,
    check: Check,
) -> list[Placed]:
    """``placed`` with every ``safe`` rule's value repair that gives a wrong value made unsafe."""
    values = {
        p.repair.pointer: p.repair
        for p in placed
        if p.repair is not None and p.repair.op in VALUE_OPS and p.repair.safe and safe(p.rule)
    }
    unsafe = {
        pointer
        for pointer, repair in values.items()
        if repair.op == "quote" and disagrees(lookup(data, pointer), text_at(pointer))
    }
    if values:
        unsafe |= _wrong(values, data, placed, safe, text_at, check)
    if not unsafe:
        return placed
    return [
        p._replace(repair=p.repair._replace(safe=False))
        if p.repair is not None and p.repair.pointer in unsafe
        else p
        for p in placed
    ]


def _wrong(
    values: dict[str, Repair],
    data: Any,
    placed: list[Placed],
    safe: Callable[[str], bool],
    text_at: TextAt,
    check: Check,
) -> set[str]:
    """The pointers of the value repairs next to which the repaired data has a new finding
    that no safe fix takes care of."""
    repaired = copied(data)
    for pointer, repair in values.items():
        new = text_at(pointer) if repair.op == "quote" else repair.value
        if new is None:
            continue
        parent, _, token = pointer.rpartition("/")
        node = lookup(repaired, parent)
        node[int(token) if isinstance(node, list) else unescape_token(token)] = new
    before = {(p.rule, p.pointer) for p in placed}
    wrong: set[str] = set()
    for rule, problem in check(repaired):
        if (rule, problem.pointer) in before or (problem.repair is not None and safe(rule)):
            continue
        wrong.update(_near(problem.pointer, values))
    return wrong


def _near(pointer: str, values: dict[str, Repair]) -> Iterator[str]:
    """The repairs a finding at ``pointer`` is blamed on: the one at or above it, else
    those of its siblings (a rule may report the entry that holds the value)."""
    own = [r for r in values if pointer == r or pointer.startswith(r + "/")]
    if own:
        yield from own
        return
    for repaired in values:
        parent = repaired.rpartition("/")[0]
        if pointer == parent or pointer.startswith(parent + "/"):
            yield repaired
