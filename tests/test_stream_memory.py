"""A multi-document stream is linted one document at a time: memory follows the largest
document, not the file (docs/performance.md's stream figures depend on it)."""

from __future__ import annotations

import weakref
from pathlib import Path

import pytest

import nimlint.fixer
import nimlint.pipeline
from nimlint.lint import Linter, Options
from nimlint.loading.model import Document

# projectId as a number: S001 with a safe fix (quote it) in every document.
DOC = "metadata: {name: a%d, projectId: 1}\nspec: {replicas: 1}\n"
COUNT = 40


class Tracked(Document):
    """A Document a weak reference can watch (Document itself has no __weakref__ slot)."""

    __slots__ = ("__weakref__",)

    @classmethod
    def of(cls, doc: Document) -> Tracked:
        tracked = cls.__new__(cls)
        for name in Document.__slots__:
            setattr(tracked, name, getattr(doc, name))
        return tracked


class Census:
    """Wraps ``documents`` and records how many parsed documents were alive at most."""

    def __init__(self, documents):
        self.documents = documents
        self.alive: weakref.WeakSet = weakref.WeakSet()
        self.most = 0
        self.parsed = 0

    def __call__(self, *args, **kwargs):
        for item in self.documents(*args, **kwargs):
            if isinstance(item, Document):
                item = Tracked.of(item)
                self.alive.add(item)
                self.parsed += 1
            self.most = max(self.most, len(self.alive))
            yield item


def stream(count: int = COUNT) -> bytes:
    return "---\n".join(DOC % i for i in range(count)).encode()


@pytest.mark.parametrize("walked", [False, True])
def test_documents_are_linted_and_dropped_one_by_one(monkeypatch, walked: bool) -> None:
    census = Census(nimlint.pipeline.documents)
    monkeypatch.setattr(nimlint.pipeline, "documents", census)
    linted = Linter().lint_file(stream(), "s.yaml", Path.cwd(), walked=walked)
    assert sum(f.rule == "S001" for f in linted.findings) == COUNT
    assert census.parsed == COUNT
    assert census.most <= 3


def test_the_fixes_of_a_stream_are_verified_in_one_parse(monkeypatch) -> None:
    census = Census(nimlint.fixer.documents)
    monkeypatch.setattr(nimlint.fixer, "documents", census)
    text = stream(COUNT).decode()
    fixed = Linter(Options(fixes=True)).lint_bytes(text.encode(), "s.yaml", Path.cwd())
    assert sum(f.fix is not None for f in fixed) == COUNT
    # One parse of the edited stream checks every fix (the lint's own parse is not counted),
    # a document at a time.
    assert census.parsed == COUNT
    assert census.most <= 3


def test_excerpt_lines_of_a_big_file_are_not_all_split_at_once() -> None:
    import tracemalloc

    from nimlint.driver import source_lines

    raw = b"a: 1\n" * 400_000  # 2 MB, 400,000 short lines
    tracemalloc.start()
    try:
        lines = source_lines(raw, {1, 400_000})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == {1: "a: 1", 400_000: "a: 1"}
    assert peak < 2 * len(raw)  # the decoded text, not a string object per line
