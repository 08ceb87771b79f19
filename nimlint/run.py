"""Spread files over worker processes when that pays (``--jobs``)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

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
    """Lint ``files`` in ``workers`` forked processes; Ctrl-C stops them all at once.

    The chunks' numbers wait in a pipe, which hands each to the one worker that reads it
    first: a worker takes the next chunk as soon as it is done with one. Each worker sends
    back what its chunks gave once, at the end; the parent puts the chunks back in order.
    No process pool: its imports and its round trip per chunk were 3% of a 2,000-file run.
    """
    import pickle  # noqa: F401 - loaded here, so that a worker has nothing left to import
    import signal

    chunks = _chunks(files, workers)
    tasks_read, tasks_write = os.pipe()
    # One write of at most PIPE_BUF bytes: whole, at once, and it fits in any pipe.
    os.write(tasks_write, b"".join(n.to_bytes(_NUMBER_BYTES, "little") for n in range(len(chunks))))
    os.close(tasks_write)  # a worker that finds the pipe empty is done
    _flush_standard_streams()  # nothing buffered here is written by a worker too
    pids: list[int] = []
    replies: list[int] = []

    def interrupted(signum, frame):
        # Not a KeyboardInterrupt: one raised while forking could leave a worker unlisted.
        _kill_workers(pids)
        os._exit(128 + signal.SIGINT)

    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.SIG_IGN:  # started in the background (nohup, &): keep ignoring
        signal.signal(signal.SIGINT, interrupted)
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # every worker listed first
        try:
            for _ in range(workers):
                started = _start(chunks, tasks_read, replies)
                if started is None:  # a process limit: lint with the workers there are
                    break
                pids.append(started[0])
                replies.append(started[1])
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        os.close(tasks_read)
        tasks_read = -1
        received = (_received(pid, reply) for pid, reply in zip(pids, replies, strict=True))
        parts = sorted((part for sent in received for part in sent), key=lambda part: part[0])
        if pids and [number for number, _ in parts] != list(range(len(chunks))):
            raise RuntimeError("the workers' results do not cover every file (a rule forked?)")
    except BaseException:
        _kill_workers(pids)
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
        for fd in (tasks_read, *replies):
            _close(fd)
        for pid in pids:
            _reap(pid)
    if not pids:  # not one worker could be started: the parent lints every file
        return lint_files(_LINTER, files, walked=_WALKED)
    result = LintResult()
    for _, part in parts:  # in chunk order: the files' order
        result.extend(part)
    return result


_NUMBER_BYTES = 4  # a chunk number in the tasks pipe
_LENGTH_BYTES = 8  # the length of a worker's reply, before it
_MAX_CHUNKS = 1024  # their numbers fill at most PIPE_BUF (4,096 bytes)


def _chunks(files: list[str], workers: int) -> list[list[str]]:
    """``files`` in chunks: small ones keep the workers busy to the end (a worker left alone
    with a big last chunk was a tenth of the wall time on 2,000 files)."""
    size = min(-(-len(files) // (workers * 4)), CHUNK_FILES)
    size = max(size, -(-len(files) // _MAX_CHUNKS), 1)
    return [files[i : i + size] for i in range(0, len(files), size)]


def _start(chunks: list[list[str]], tasks: int, replies: list[int]) -> tuple[int, int] | None:
    """Fork a worker: (its pid, the pipe its reply comes on); None if it cannot be started.
    ``replies``: the earlier workers' reply pipes, which the new one must not hold open."""
    parent = os.getpid()
    try:
        reply_read, reply_write = os.pipe()
    except OSError:  # out of file descriptors
        return None
    try:
        pid = os.fork()
    except OSError:  # EAGAIN, ENOMEM: too many processes, not enough memory
        os.close(reply_read)
        os.close(reply_write)
        return None
    if pid == 0:  # the worker
        _work(chunks, tasks, reply_write, parent, others=(reply_read, *replies))
    os.close(reply_write)
    return pid, reply_read


def _work(
    chunks: list[list[str]], tasks: int, reply: int, parent: int, others: tuple[int, ...]
) -> NoReturn:
    """A worker: lint the chunks it takes from ``tasks``, send what they gave (or the error
    that stopped it) on ``reply``, and end without running the parent's exit code: nothing
    here may return into it. ``others``: pipe ends the worker must not hold open."""
    status = 1  # unless the reply is sent
    try:
        for fd in others:  # held open, they would keep a write waiting for a reader when the
            os.close(fd)  # parent is gone (the pipe full)
        import pickle  # loaded by the parent: no file is opened
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent ends the workers on Ctrl-C
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        try:
            parts = _lint_chunks(chunks, tasks, parent)
            payload = pickle.dumps((None, parts), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
            payload = _pickled_error(exc)
        with open(reply, "wb") as out:
            # Its length first: the parent reads that much and does not wait for the pipe's
            # end, which a process a rule started may hold open.
            out.write(len(payload).to_bytes(_LENGTH_BYTES, "little") + payload)
        _flush_standard_streams()  # what a rule module printed, as a normal exit would
        status = 0
    finally:
        os._exit(status)


def _lint_chunks(chunks: list[list[str]], tasks: int, parent: int) -> list[tuple[int, LintResult]]:
    """(chunk number, its LintResult) of each chunk taken from ``tasks`` until it is empty,
    or until the ``parent`` process is gone (killed: nobody would read the results)."""
    parts = []
    while os.getppid() == parent and (taken := os.read(tasks, _NUMBER_BYTES)):
        number = int.from_bytes(taken, "little")
        part = lint_files(_LINTER, chunks[number], walked=_WALKED)
        part.rules, part.notes = {}, []  # the parent has them already (rules hold functions)
        parts.append((number, part))
    return parts


def _flush_standard_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None: the descriptor was closed when Python started
            stream.flush()


def _pickled_error(exc: BaseException) -> bytes:
    import pickle

    try:
        payload = pickle.dumps((exc, None), pickle.HIGHEST_PROTOCOL)
        pickle.loads(payload)  # some exceptions pickle but cannot be rebuilt from it
        return payload
    except Exception:  # noqa: BLE001 - an exception that cannot be sent: say what it was
        error = RuntimeError(f"{type(exc).__name__}: {exc}")
        return pickle.dumps((error, None), pickle.HIGHEST_PROTOCOL)


def _received(pid: int, reply: int) -> list[tuple[int, LintResult]]:
    """What worker ``pid`` sent: its chunks' results; the error that stopped it is raised."""
    import pickle

    with open(reply, "rb", closefd=False) as source:
        length = int.from_bytes(source.read(_LENGTH_BYTES), "little")
        payload = source.read(length)
    try:
        if len(payload) != length:
            raise EOFError
        error, parts = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - nothing, or half a reply: the worker was killed
        raise RuntimeError(f"a worker process {_ended(pid)} before it sent its results") from None
    if error is not None:
        raise error
    return parts


def _ended(pid: int) -> str:
    """How worker ``pid`` ended (it is reaped)."""
    import signal

    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "ended"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.valid_signals() else number
        return f"was killed by signal {name}"
    return f"ended with exit status {os.waitstatus_to_exitcode(status)}"


def _kill_workers(pids: list[int]) -> None:
    import signal

    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # ended already
            os.kill(pid, signal.SIGKILL)
    for pid in pids:
        _reap(pid)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):  # reaped already
        os.waitpid(pid, 0)


def _close(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
