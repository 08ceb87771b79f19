"""A JSON cache of the shipped rule files: reading YAML costs more than the rest of setup.

The cache lives in ``$NIMLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/nimlint``, else
``~/.cache/nimlint``; it records nimlint's version and each file's path, size and
modification time, so an edited or upgraded rule file is read again. A cache that cannot
be read or written is ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from nimlint import __version__


def cache_dir() -> Path:
    explicit = os.environ.get("NIMLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nimlint"


def _key(paths: list[Path]) -> list:
    """What the cached documents were read from: each file's path, size and mtime."""
    key: list = [__version__]
    for path in paths:
        stat = path.stat()
        key.append([str(path), stat.st_size, stat.st_mtime_ns])
    return key


def _file() -> Path:
    return cache_dir() / f"rules-{__version__}.json"


def load(paths: list[Path]) -> list | None:
    """The parsed documents of ``paths`` from the cache, or None."""
    try:
        with open(_file(), encoding="utf-8") as handle:
            cached = json.load(handle)
        return cached["documents"] if cached["key"] == _key(paths) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(paths: list[Path], documents: list) -> None:
    """Save the parsed documents of ``paths``; silently skipped if the cache is not writable."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        target = _file()
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"key": _key(paths), "documents": documents}), "utf-8")
        os.replace(temporary, target)
    except OSError:
        pass
