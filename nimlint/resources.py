"""Locate the data nimlint ships: the schemas and the declarative rules.

Installed wheels carry them as ``nimlint/_data/{schemas,rules}``; a source checkout
has them at the top level of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the directory of shipped data ``name`` ("schemas" or "rules")."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"nimlint data directory {name!r} is missing from the installation")


def schema_path(filename: str) -> Path:
    """Path of a file under ``schemas/``."""
    return data_dir("schemas") / filename
