"""Find rule plugins (entry points in the group ``nimlint.rules``) without importing metadata
for every installed distribution.

``importlib.metadata.entry_points()`` parses the entry points of every installed package,
which costs more than the rest of a one-file run's setup. Only distributions whose
``entry_points.txt`` mentions the group are parsed here.

Only installed distributions count: the working folder is skipped even when it is on
``sys.path`` (``python -m nimlint`` puts it there), so a checkout's ``*.dist-info`` folder
cannot make nimlint import its code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "nimlint.rules"
_HEADER = f"[{GROUP}]"


def entry_points() -> Iterator[EntryPoint]:
    """Every entry point of the group, first distribution on sys.path first."""
    seen: set[str] = set()
    here = os.path.realpath(os.curdir)
    for folder in sys.path:
        if not folder or os.path.realpath(folder) == here:
            continue
        for path in _entry_point_files(folder):
            for entry in _parse(path):
                if entry.name not in seen:
                    seen.add(entry.name)
                    yield entry


def _entry_point_files(folder: str) -> Iterator[str]:
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.endswith((".dist-info", ".egg-info")):
            path = os.path.join(folder, name, "entry_points.txt")
            try:
                with open(path, encoding="utf-8") as handle:
                    if _HEADER in handle.read():
                        yield path
            except (OSError, UnicodeDecodeError):
                continue


def _parse(path: str) -> list[EntryPoint]:
    import configparser  # only when a distribution declares nimlint rules
    from importlib.metadata import EntryPoint

    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # entry point names are case-sensitive
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return []
    if not parser.has_section(GROUP):
        return []
    return [EntryPoint(name, value.strip(), GROUP) for name, value in parser.items(GROUP)]
