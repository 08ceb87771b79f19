"""Reading and writing files that a checkout may control.

Reading: regular files only, never blocking, bounded. Writing: all at once (a new file renamed
over the old), never through a symlink the checkout planted.

A configuration, a ``.gitignore`` or a rule file can be a symlink to a FIFO, a terminal or
``/dev/zero``: opened plainly, the first blocks until someone writes to it and the last never
ends. Here the file is opened without blocking, refused unless it is a regular file, and
read up to a limit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

from nimlint.repository import confine

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC


class NotRegularFile(OSError):
    """A FIFO, a device, a socket or a folder where a file was expected."""

    def __init__(self, path: str | os.PathLike) -> None:
        super().__init__(errno.EINVAL, "not a regular file", os.fspath(path))


def read_regular(path: str | os.PathLike, limit: int, *, confined: bool = False) -> bytes:
    """At most ``limit`` + 1 bytes of regular file ``path``: more than ``limit`` means the
    file is too big, which the caller reports in its own words.

    Raises OSError when the file cannot be read, NotRegularFile when it is not a file; with
    ``confined``, LinkLeavesTree when a symlink takes ``path`` out of its repository (a
    checkout's ``rules.yaml`` linked to ``~/.ssh/id_ed25519`` is not read).
    """
    if confined:
        path = confine(path)
    descriptor = os.open(path, _FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path)
        # One read of the size fstat gave, plus one to see the end; a buffer of ``limit``
        # bytes per small file would cost more than reading it.
        chunks, left, want = [], limit + 1, info.st_size + 1
        while left > 0:
            chunk = os.read(descriptor, min(want, left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            want = 1 << 16  # the file grew since fstat: read on, up to the limit
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def read_text(path: str | os.PathLike, limit: int, what: str) -> str:
    """The UTF-8 text of regular file ``path``, ``what`` (such as "a rule file") of at most
    ``limit`` bytes. Raises OSError, its ``strerror`` saying why: unreadable, a symlink out of
    its repository, not a regular file, over the limit, or not UTF-8."""
    raw = read_regular(path, limit, confined=True)
    if len(raw) > limit:
        raise OSError(
            errno.EFBIG, f"it is over the {limit:,}-byte limit of {what}", os.fspath(path)
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OSError(errno.EILSEQ, str(exc), os.fspath(path)) from None


class ChangedOnDisk(OSError):
    """The file is no longer what nimlint read: someone saved it meanwhile."""

    def __init__(self, path: str | os.PathLike) -> None:
        super().__init__(
            errno.EBUSY, "it changed since nimlint read it; not overwritten", os.fspath(path)
        )


def write_atomic(
    path: str | os.PathLike,
    data: bytes,
    *,
    follow: bool = False,
    expected: bytes | None = None,
) -> None:
    """Write ``data`` to ``path`` all at once: a new file in the same folder, renamed over it.

    A reader sees the old file or the new one, never half of it; a failed write leaves the old
    one as it was. An existing file keeps its mode. A symlink at ``path`` is replaced by the
    file, or with ``follow`` its target is written if it lies in the link's repository (else
    LinkLeavesTree, as for a folder on the way that links out). With ``expected``, the file must
    still hold those bytes (else ChangedOnDisk).
    """
    if follow:
        target = confine(path)
    else:
        folder, name = os.path.split(os.fspath(path))
        target = os.path.join(confine(folder or "."), name)
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    mode = stat.S_IMODE(info.st_mode) if info and stat.S_ISREG(info.st_mode) else None
    if expected is not None and (mode is None or read_regular(target, len(expected)) != expected):
        raise ChangedOnDisk(target)
    folder, name = os.path.split(target)
    temporary, descriptor = _create_beside(folder or ".", name, 0o666 if mode is None else 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            if mode is not None:
                os.chmod(temporary, mode)
            out.write(data)  # no fsync: 8 ms a file here, and a failed write is caught anyway
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_report(path: str | os.PathLike, data: bytes) -> None:
    """Write a report to ``path``: a terminal, a pipe or ``/dev/null`` (``/dev/stdout`` and
    ``<(...)`` are links to them) is written to as a stream, without waiting for a reader;
    anything else is replaced at once (write_atomic), a symlink included, never followed."""
    try:
        info = os.stat(path)
    except OSError:
        info = None
    if info is None or not (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        write_atomic(path, data)
        return
    descriptor = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC)
    with os.fdopen(descriptor, "wb") as out:
        os.set_blocking(descriptor, True)  # a reader is there: now wait for it as usual
        out.write(data)


def _create_beside(folder: str, name: str, mode: int) -> tuple[str, int]:
    """A new, empty, exclusive file in ``folder`` (``mode`` less the umask): path and fd."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | _CLOEXEC
    for _ in range(100):
        temporary = os.path.join(folder, f".{name[:100]}.{os.urandom(4).hex()}.nimlint-tmp")
        try:
            return temporary, os.open(temporary, flags, mode)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", folder)
