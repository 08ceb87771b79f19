"""The paths git tracks in a work tree, read from its index file without running git.

Running git in a checkout runs what the checkout configures (hooks, ``core.fsmonitor``), so
nimlint reads ``.git/index`` itself. Format: https://git-scm.com/docs/index-format, versions
2, 3 and 4, SHA-1 or SHA-256 object names, sparse directory entries, split indexes (the shared
index's entries are added: a path counted as tracked is linted, the safe side). An index that
cannot be read or parsed gives None: nothing known to be tracked.
"""

from __future__ import annotations

import os
import struct
from typing import NamedTuple

from nimlint.files import read_regular

MAX_INDEX_BYTES = 256 * 1024 * 1024  # about 2.5 M entries
_DIRECTORY, _GITLINK = 0o040000, 0o160000


class Tracked(NamedTuple):
    """Paths relative to the work tree (``/``-separated): tracked files, and folders that
    hold one (a folder is a submodule's or a sparse index's folder entry, or above a file)."""

    files: frozenset[str]
    folders: frozenset[str]

    def holds(self, relative: str, is_dir: bool) -> bool:
        """Is this file tracked, or this folder one with something tracked below it?"""
        if is_dir:
            return relative in self.folders
        if relative in self.files:
            return True
        parts = relative.split("/")  # below a sparse folder entry: tracked too
        return any("/".join(parts[:i]) + "/" in self.files for i in range(1, len(parts)))


def read_tracked(git_dir: str, hash_size: int = 20) -> Tracked | None:
    """What the index of ``git_dir`` tracks; None if it cannot tell."""
    names = _read_names(os.path.join(git_dir, "index"), hash_size)
    if names is None:
        return None
    entries, shared = names
    if shared:  # a split index: this one holds the changes to the shared one
        more = _read_names(os.path.join(git_dir, f"sharedindex.{shared}"), hash_size)
        entries += more[0] if more else []
    files, folders = set(), set()
    for name, mode in entries:
        if not name:  # a split index's entry replacing one of the shared index's, named there
            continue
        bare = name.rstrip("/")
        if mode in (_DIRECTORY, _GITLINK):
            folders.add(bare)
        if mode != _GITLINK:  # a sparse folder entry "a/b/" stands for every file below it
            files.add(bare + "/" if mode == _DIRECTORY else name)
        cut = bare.rfind("/")
        while cut > 0 and bare[:cut] not in folders:
            folders.add(bare[:cut])
            cut = bare.rfind("/", 0, cut)
    return Tracked(frozenset(files), frozenset(folders))


def _read_names(path: str, hash_size: int) -> tuple[list[tuple[str, int]], str] | None:
    try:
        raw = read_regular(path, MAX_INDEX_BYTES)
    except OSError:
        return None
    if len(raw) > MAX_INDEX_BYTES:
        return None
    try:
        return parse_index(raw, hash_size)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError):
        return None


def parse_index(raw: bytes, hash_size: int = 20) -> tuple[list[tuple[str, int]], str]:
    """(path, mode) of every entry of index file ``raw``, and the shared index's object name
    if it is split ("" if not). Raises ValueError (or struct.error) on a malformed index."""
    signature, version, count = struct.unpack_from(">4sLL", raw, 0)
    if signature != b"DIRC" or version not in (2, 3, 4):
        raise ValueError("not a git index of version 2, 3 or 4")
    entries: list[tuple[str, int]] = []
    pos, previous = 12, b""
    fixed = 40 + hash_size + 2  # stat data, object name, flags
    for _ in range(count):
        start = pos
        (mode,) = struct.unpack_from(">L", raw, start + 24)
        (flags,) = struct.unpack_from(">H", raw, start + fixed - 2)
        pos = start + fixed + (2 if version >= 3 and flags & 0x4000 else 0)
        if version == 4:
            strip, pos = _varint(raw, pos)
            if strip > len(previous):
                raise ValueError("bad path prefix")
            end = raw.index(b"\0", pos)
            name = previous[: len(previous) - strip] + raw[pos:end]
            pos = end + 1
        else:
            end = raw.index(b"\0", pos)
            name = raw[pos:end]
            pos = start + ((end - start + 8) & ~7)  # NUL-padded to a multiple of 8 bytes
        previous = name
        entries.append((name.decode("utf-8", errors="surrogateescape"), mode))
    return entries, _shared_index(raw, pos, hash_size)


def _shared_index(raw: bytes, pos: int, hash_size: int) -> str:
    """The object name in the ``link`` extension (a split index), else ""."""
    while pos + 8 <= len(raw) - hash_size:
        signature, size = struct.unpack_from(">4sL", raw, pos)
        if signature == b"link":
            return raw[pos + 8 : pos + 8 + hash_size].hex()
        pos += 8 + size
    return ""


def _varint(raw: bytes, pos: int) -> tuple[int, int]:
    """git's offset encoding (varint.c): each continuation byte adds one before shifting."""
    byte = raw[pos]
    value = byte & 0x7F
    while byte & 0x80:
        pos += 1
        byte = raw[pos]
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, pos + 1
