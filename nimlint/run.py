"""Spread files over worker processes when that pays (``--jobs``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from nimlint.lint import Linter, LintResult, Options, expand_paths, lint_files

# Below this many files a worker pool costs more than it saves (see benchmarks/README.md).
PARALLEL_THRESHOLD = 100

_LINTER: Linter | None = None  # set in the parent before forking; inherited by workers


def default_jobs(file_count: int) -> int:
    return (os.cpu_count() or 1) if file_count >= PARALLEL_THRESHOLD else 1


def run_parallel(paths: Sequence[str], options: Options, jobs: int | None) -> LintResult:
    """Lint ``paths`` with ``jobs`` processes (None or 0: decide from the file count)."""
    global _LINTER
    files, errors = expand_paths(paths)
    linter = Linter(options)
    workers = min(jobs or default_jobs(len(files)), max(1, len(files)))
    if workers <= 1 or sys.platform != "linux":
        result = lint_files(linter, files)
    else:
        for folder in {Path(f).parent for f in files}:
            linter.setup_for(folder)  # configs, rules and schemas are built once, then forked
        _LINTER = linter
        result = _fan_out(files, workers)
        for setup in linter.setups:
            result.rules.update(setup.registry)
    result.errors[:0] = errors
    return result


def _fan_out(files: list[str], workers: int) -> LintResult:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(files) // (workers * 4))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork")
    result = LintResult()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for part in pool.map(_lint_chunk, chunks):
            result.findings.extend(part.findings)
            result.files.extend(part.files)
            result.errors.extend(part.errors)
            result.fixed.extend(part.fixed)
            result.policed.extend(part.policed)
            result.sources.update(part.sources)
            result.fail_on = part.fail_on
    return result


def _lint_chunk(files: list[str]) -> LintResult:
    part = lint_files(_LINTER, files)
    part.rules = {}  # rules hold functions; the parent has them already
    return part
