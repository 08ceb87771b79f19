"""A JSON cache of what the shipped rules are, so start-up neither reads YAML nor imports
every rule module: the parsed rule files (``rules``) and the metadata of the Python rules
(``python-rules``).

The cache lives in the ``__pycache__`` folder of nimlint's own package, beside the compiled
modules Python keeps there: whoever can write that folder can change nimlint's code anyway,
and no environment variable a CI job sets for other tools moves it. It used to follow
``$XDG_CACHE_HOME`` (or ``~/.cache``): a job that set either inside its workspace read a
cache a pull request shipped, which downgraded every rule, under ``--isolated`` too.
``$NIMLINT_CACHE_DIR`` (tests, benchmarks) moves it on purpose. Each installation of
nimlint has its own files (the name holds the version and a hash of where the package is),
so two checkouts or virtualenvs sharing a folder do not overwrite each other's entries on
every run. An entry records each source file's path, size and modification time, so an
edited or upgraded file is read again.

An entry is someone else's words until shown otherwise: one that cannot be read, is larger
than any nimlint writes, is not JSON, is stale, or (on POSIX) is not owned by this user or
is writable by others is ignored, and the caller rebuilds it. Callers validate what they
read before they use it. A cache that cannot be written is skipped.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from nimlint import __version__

MAX_BYTES = 4 << 20  # the shipped rules take about 110 KB
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def cache_dir() -> Path:
    explicit = os.environ.get("NIMLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(_PACKAGE, "__pycache__")


def _short_hash(data: bytes) -> str:
    """32-bit FNV-1a: enough to tell installations apart (hashlib is not imported at start-up)."""
    digest = 0x811C9DC5
    for byte in data:
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{digest:08x}"


_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
INSTALLATION = _short_hash(os.fsencode(_PACKAGE))  # where this nimlint is, links resolved


def _key(paths: list[Path], salt: list) -> list:
    """What the cached documents were read from: each file's path, size and mtime."""
    key: list = [__version__, *salt]
    for path in paths:
        info = path.stat()
        key.append([str(path), info.st_size, info.st_mtime_ns])
    return key


def _file(name: str) -> Path:
    return cache_dir() / f"{name}-{__version__}-{INSTALLATION}.json"


def load(paths: list[Path], name: str = "rules", salt: list = ()) -> list | None:
    """The documents cached under ``name`` if ``paths`` (and ``salt``) are unchanged, or None."""
    try:
        # never blocks: a FIFO planted at that name is opened, then refused as not a file
        with open(os.open(_file(name), os.O_RDONLY | _NONBLOCK), "rb") as handle:
            if not _trusted(os.fstat(handle.fileno())):
                return None
            cached = json.loads(handle.read())
        if cached["key"] != _key(paths, list(salt)) or not isinstance(cached["documents"], list):
            return None
        return cached["documents"]
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None


def _trusted(info: os.stat_result) -> bool:
    """A regular file of a plausible size that only this user can have written (POSIX)."""
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        return False
    if not hasattr(os, "geteuid"):
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def store(paths: list[Path], documents: list, name: str = "rules", salt: list = ()) -> None:
    """Save what was read from ``paths``; silently skipped if the cache is not writable."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        target = _file(name)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        text = json.dumps({"key": _key(paths, list(salt)), "documents": documents})
        if os.path.lexists(temporary):  # left by a run that died with the same pid
            os.unlink(temporary)
        # a new file, never one planted at that name nor through a link; only ours to write
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError:
        pass
