"""Which repository a path belongs to, and whether symlinks take it out of there.

A checkout can hold symlinks: ``lint/rules.yaml -> ~/.ssh/id_ed25519``, ``deploy/shared ->
/etc``. nimlint reads, walks and writes through a symlink only when it leads inside the
repository it was met in: the nearest git work tree on the way to the file (else the working
folder). Links met before that (``/tmp -> /private/tmp``) are the user's own, not the checkout's.
"""

from __future__ import annotations

import errno
import os
import stat
from functools import lru_cache
from typing import NamedTuple


class LinkLeavesTree(OSError):
    """A symlink that takes a path out of the repository nimlint may read or write in."""

    def __init__(self, path: str | os.PathLike, target: str, tree: str) -> None:
        self.target, self.tree = target, tree
        super().__init__(
            errno.EPERM,
            f"a symlink takes it to {target}, outside the repository {tree}",
            os.fspath(path),
        )


class Located(NamedTuple):
    """Where a path leads: its real path, the repository (a real path, "" if none), and
    whether a symlink inside that repository was followed on the way."""

    real: str
    repository: str
    linked: bool = False


def within(path: str, folder: str) -> bool:
    """Is ``path`` ``folder`` or below it (both absolute and normalised)?"""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def confine(path: str | os.PathLike) -> str:
    """The real path of ``path``; LinkLeavesTree if a symlink met inside its repository leads
    out of it."""
    return locate(path).real


def locate(path: str | os.PathLike) -> Located:
    """Resolve ``path`` one name at a time, as the system does (``link/..`` is the parent of
    the link's target). Raises LinkLeavesTree as ``confine`` does."""
    cwd = os.getcwd()
    folder, name = os.path.split(os.path.join(cwd, os.fspath(path)))
    real_cwd = _real_cwd(cwd)
    try:
        return _step(_locate(folder, real_cwd), name, path, real_cwd)
    except LinkLeavesTree as exc:  # named by the path as given, not by the folder it was met in
        raise LinkLeavesTree(path, exc.target, exc.tree) from None


def repository_of(folder: str | os.PathLike) -> str:
    """The real path of the repository ``folder`` is in: its git work tree, else the working
    folder if it is in it, else the folder itself."""
    found = locate(folder)
    return found.repository or found.real


def forget() -> None:
    """Drop what was learnt about folders (each run starts afresh: a long-lived process, the
    language server, must see a folder that became a symlink)."""
    _locate.cache_clear()
    _real_cwd.cache_clear()


@lru_cache(maxsize=16)
def _real_cwd(cwd: str) -> str:
    return os.path.realpath(cwd)


@lru_cache(maxsize=4096)
def _locate(folder: str, cwd: str) -> Located:
    """``locate`` of an absolute folder, ``cwd`` the real working folder (cached: the files
    of a folder share it)."""
    parent, name = os.path.split(folder)
    if parent == folder:  # the root
        return Located(folder, _top(folder, "", cwd))
    return _step(_locate(parent, cwd), name, folder, cwd)


def _step(at: Located, name: str, path, cwd: str) -> Located:
    """From real folder ``at``, go to ``name`` in it."""
    if name in ("", "."):
        return at
    if name == "..":  # out of the repository: the user's own words, unless a link led here
        real = os.path.dirname(at.real)
        if at.repository and not within(real, at.repository):
            if at.linked:
                raise LinkLeavesTree(path, real, at.repository)
            return Located(real, "")
        return at._replace(real=real)
    step = os.path.join(at.real, name)
    try:
        mode = os.lstat(step).st_mode
    except (OSError, ValueError):  # as os.path.islink: no such file is no link
        mode = 0
    linked = stat.S_ISLNK(mode)
    real = os.path.realpath(step) if linked else step
    if linked and at.repository and not within(real, at.repository):
        raise LinkLeavesTree(path, real, at.repository)
    top = _top(real, at.repository, cwd, folder=linked or not stat.S_ISREG(mode))
    return Located(real, top, top == at.repository and (at.linked or (linked and bool(top))))


def _top(real: str, repository: str, cwd: str, folder: bool = True) -> str:
    """The repository below ``real``: itself if it holds ``.git``, else the one above it (or
    the working folder, once reached). A file (not a ``folder``) holds nothing: one stat less
    per named file."""
    if folder and os.path.exists(os.path.join(real, ".git")):
        return real
    return repository or (cwd if real == cwd else "")
