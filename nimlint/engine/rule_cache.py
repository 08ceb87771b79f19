"""A JSON cache of what the shipped rules are, so start-up neither reads YAML nor imports
every rule module: the parsed rule files (``rules``) and the metadata of the Python rules
(``python-rules``).

The cache lives in ``$NIMLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/nimlint``, else
``~/.cache/nimlint``; it records nimlint's version and each source file's path, size and
modification time, so an edited or upgraded file is read again. A cache that cannot
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


def _key(paths: list[Path], salt: list) -> list:
    """What the cached documents were read from: each file's path, size and mtime."""
    key: list = [__version__, *salt]
    for path in paths:
        stat = path.stat()
        key.append([str(path), stat.st_size, stat.st_mtime_ns])
    return key


def _file(name: str) -> Path:
    return cache_dir() / f"{name}-{__version__}.json"


def load(paths: list[Path], name: str = "rules", salt: list = ()) -> list | None:
    """The documents cached under ``name`` if ``paths`` (and ``salt``) are unchanged, or None."""
    try:
        with open(_file(name), encoding="utf-8") as handle:
            cached = json.load(handle)
        return cached["documents"] if cached["key"] == _key(paths, list(salt)) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(paths: list[Path], documents: list, name: str = "rules", salt: list = ()) -> None:
    """Save what was read from ``paths``; silently skipped if the cache is not writable."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        target = _file(name)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        key = _key(paths, list(salt))
        temporary.write_text(json.dumps({"key": key, "documents": documents}), "utf-8")
        os.replace(temporary, target)
    except OSError:
        pass
