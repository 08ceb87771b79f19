"""Reading a file that a checkout may control: regular files only, never blocking, bounded.

A configuration, a ``.gitignore`` or a rule file can be a symlink to a FIFO, a terminal or
``/dev/zero``: opened plainly, the first blocks until someone writes to it and the last never
ends. Here the file is opened without blocking, refused unless it is a regular file, and
read up to a limit.
"""

from __future__ import annotations

import errno
import os
import stat

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegularFile(OSError):
    """A FIFO, a device, a socket or a folder where a file was expected."""

    def __init__(self, path: str | os.PathLike) -> None:
        super().__init__(errno.EINVAL, "not a regular file", os.fspath(path))


def read_regular(path: str | os.PathLike, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of regular file ``path``: more than ``limit`` means the
    file is too big, which the caller reports in its own words.

    Raises OSError when the file cannot be read, NotRegularFile when it is not a file.
    """
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
    ``limit`` bytes. Raises OSError, its ``strerror`` saying why: unreadable, not a regular
    file, over the limit, or not UTF-8."""
    raw = read_regular(path, limit)
    if len(raw) > limit:
        raise OSError(
            errno.EFBIG, f"it is over the {limit:,}-byte limit of {what}", os.fspath(path)
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OSError(errno.EILSEQ, str(exc), os.fspath(path)) from None
