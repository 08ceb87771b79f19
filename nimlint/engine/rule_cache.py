"""A JSON cache of the shipped rule files: reading YAML costs more than the rest of setup.

The cache lives in ``$NIMLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/nimlint``, else
``~/.cache/nimlint``; its key covers nimlint's version and each file's path, size and
modification time, so an edited or upgraded rule file is read again. A cache that cannot
be read or written is ignored.
"""

from __future__ import annotations

import hashlib
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


def _key(paths: list[Path]) -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in paths:
        stat = path.stat()
        digest.update(f"\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def load(paths: list[Path]) -> list | None:
    """The parsed documents of ``paths`` from the cache, or None."""
    try:
        with open(cache_dir() / f"rules-{_key(paths)}.json", encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def store(paths: list[Path], documents: list) -> None:
    """Save the parsed documents of ``paths``; silently skipped if the cache is not writable."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"rules-{_key(paths)}.json"
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(documents), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        pass
