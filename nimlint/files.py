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
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotRegularFile(path)
        with open(descriptor, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    finally:
        os.close(descriptor)
