"""Spread files over worker processes when that pays (``--jobs``)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from nimlint.lint import Linter, LintResult, Options, expand_paths, lint_paths

# Below this many files a worker pool costs more than it saves (see benchmarks/README.md).
PARALLEL_THRESHOLD = 400


def default_jobs(file_count: int) -> int:
    return (os.cpu_count() or 1) if file_count >= PARALLEL_THRESHOLD else 1


def run_parallel(paths: Sequence[str], options: Options, jobs: int | None) -> LintResult:
    """Lint ``paths`` with ``jobs`` processes (None or 0: decide from the file count)."""
    files, errors = expand_paths(paths)
    workers = min(jobs or default_jobs(len(files)), max(1, len(files)))
    if workers <= 1:
        return lint_paths(paths, options)
    size = -(-len(files) // (workers * 4))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = list(pool.map(_lint_chunk, chunks, [options] * len(chunks)))
    result = LintResult(errors=errors)
    for part in parts:
        result.findings.extend(part.findings)
        result.files.extend(part.files)
        result.errors.extend(part.errors)
        result.fail_on = part.fail_on
    setup = Linter(options).setup_for(Path(files[0]).parent)
    result.rules.update(setup.registry)
    return result


def _lint_chunk(files: list[str], options: Options) -> LintResult:
    part = lint_paths(files, options)
    part.rules = {}  # rules hold functions; the parent process rebuilds them
    return part
