"""Spread files over worker processes when that pays (``--jobs``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from nimlint.driver import Linter, LintResult, lint_files, record_setups
from nimlint.options import Options

# Below this many files a worker pool costs more than it saves (see benchmarks/README.md).
PARALLEL_THRESHOLD = 100
CHUNK_FILES = 32  # at most this many files per task handed to a worker

_LINTER: Linter | None = None  # set in the parent before forking; inherited by workers
_WALKED: set[str] = set()  # the files found by walking folders (likewise)


def cpu_count() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - not Linux


def default_jobs(file_count: int) -> int:
    return cpu_count() if file_count >= PARALLEL_THRESHOLD else 1


def run_parallel(paths: Sequence[str], options: Options, jobs: int | None) -> LintResult:
    """Lint ``paths`` with ``jobs`` processes (None or 0: decide from the file count)."""
    global _LINTER, _WALKED
    linter = Linter(options)
    found = linter.discover(paths)
    files, errors = found.files, found.errors
    notes = list(found.notes)
    if jobs and jobs > cpu_count():
        notes.append(f"--jobs {jobs} lowered to {cpu_count()}, the number of CPUs")
        jobs = cpu_count()
    workers = min(jobs or default_jobs(len(files)), max(1, len(files)))
    if workers <= 1 or sys.platform != "linux":
        result = lint_files(linter, files, walked=found.walked)
    else:
        for folder in {os.path.dirname(f) for f in files}:  # a Path per folder, not per file
            linter.setup_for(Path(folder))  # configs, rules and schemas built once, then forked
        _LINTER, _WALKED = linter, found.walked
        result = _fan_out(files, workers)
        record_setups(linter, result)
    result.errors[:0] = errors + found.bodiless([*result.files, *result.failed])
    result.notes[:0] = notes
    return result


def _fan_out(files: list[str], workers: int) -> LintResult:
    """Lint ``files`` in ``workers`` forked processes; Ctrl-C stops them all at once."""
    import multiprocessing
    import signal
    from concurrent.futures import ProcessPoolExecutor

    # Small chunks keep the workers busy to the end: a worker left alone with a big last chunk
    # was a tenth of the wall time on 2,000 files.
    size = min(-(-len(files) // (workers * 4)), CHUNK_FILES)
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork")
    result = LintResult()
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupts)

    def interrupted(signum, frame):
        # Not a KeyboardInterrupt: one raised while forking is swallowed ("Exception ignored").
        _kill_workers(pool)
        os._exit(128 + signal.SIGINT)

    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.SIG_IGN:  # started in the background (nohup, &): keep ignoring
        signal.signal(signal.SIGINT, interrupted)
    try:
        # Workers start inside map(); a Ctrl-C then would miss those the pool does not list yet.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            parts = pool.map(_lint_chunk, chunks)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        for part in parts:
            result.keep(part.findings, part.cap.omitted)
            result.files.extend(part.files)
            result.errors.extend(part.errors)
            result.fixed.extend(part.fixed)
            result.policed.extend(part.policed)
            result.sources.update(part.sources)
            result.kinds.update(part.kinds)
            result.skipped.extend(part.skipped)
            result.failed.extend(part.failed)
            result.fail_on.update(part.fail_on)
    except BaseException:
        _kill_workers(pool)
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
        pool.shutdown(cancel_futures=True)
    return result


def _kill_workers(pool) -> None:
    processes = list(pool._processes.values())  # no public way to stop a running worker
    for process in processes:
        process.kill()
    for process in processes:
        process.join()


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which ends them; no traceback from each worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _lint_chunk(files: list[str]) -> LintResult:
    part = lint_files(_LINTER, files, walked=_WALKED)
    part.rules, part.notes = {}, []  # the parent has them already (rules hold functions)
    return part
