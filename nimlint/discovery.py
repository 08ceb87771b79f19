"""Which files a run lints: the paths named on the command line, and the specs found by walking
the folders among them (excludes, .gitignore, symlinks, each file once).

A file named on the command line is linted unless a symlink takes it out of its repository
(nimlint.repository). A file found by walking is linted when its
suffix is a spec suffix (any case), no exclude pattern or .gitignore rule matches it or a folder
above it (below the named folder), it is not a configuration file, and, if it is a symlink, its
target lies inside its repository (symlinked folders alike).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from nimlint.files import read_regular
from nimlint.gitindex import Tracked, read_tracked
from nimlint.repository import LinkLeavesTree, forget, locate, within

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
CONFIG_NAMES = frozenset({".nimlint.yaml"})

# Matched against the name of every file and folder found by walking (fnmatch, case-sensitive).
# ".*" covers hidden files and folders alike: .git, .venv, .tox, .mypy_cache, .github,
# .pre-commit-config.yaml, .gitlab-ci.yml...
DEFAULT_EXCLUDE = (
    ".*",
    "node_modules",
    "venv",
    "__pycache__",
    "site-packages",
    "build",
    "dist",
)


class WalkRules(NamedTuple):
    """How folders are walked: name patterns, gitignore-style patterns, .gitignore or not;
    ``top``: the configuration's folder, below which a named file's folders are checked
    (--force-exclude; None: the working folder)."""

    names: tuple[str, ...] = DEFAULT_EXCLUDE
    patterns: tuple[tuple[Path, tuple[str, ...]], ...] = ()  # (base folder, gitignore lines)
    respect_gitignore: bool = True
    top: Path | None = None


class Discovery:
    """The files to lint, in order and each once; which were found by walking; error lines;
    notes (symlinks skipped)."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.walked: set[str] = set()
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.folders: dict[str, list[str]] = {}  # each named folder: the files found below it

    def bodiless(self, linted: Collection[str]) -> list[str]:
        """An error line for each named folder none of whose files was ``linted`` (all were
        skipped, holding no NIM body): a CI job pointed at the wrong folder must not pass."""
        linted = set(linted)
        return [
            f"no NIM service body to lint under {folder}: its {len(files)} YAML or JSON "
            f"file{'s' * (len(files) != 1)} {'were' if len(files) != 1 else 'was'} skipped "
            "(not NIM service bodies)"
            for folder, files in self.folders.items()
            if files and linted.isdisjoint(files)
        ]


def discover(
    paths: Sequence[str],
    rules_for=lambda folder: WalkRules(),
    *,
    force_exclude: bool = False,
    stdin_filename: str | None = None,
) -> Discovery:
    """Expand ``paths`` (``-`` is stdin); ``rules_for(folder)`` gives the WalkRules of a folder.

    A path that a symlink takes out of its repository (see nimlint.repository) is skipped with
    a note, named or found by walking: the checkout chose where its links lead. With
    ``force_exclude`` a named file is filtered as a walked one is: dropped when walking would
    exclude it, and marked walked (skipped if it holds no NIM body).
    """
    found = Discovery()
    seen: dict[str, str] = {}  # real path -> the name its file is linted under (the first)
    forget()
    excluded = _Excluded(rules_for) if force_exclude else None

    def add(path: str, walked: bool, key: str | None = None) -> str:
        key = key or (path if path == STDIN else os.path.realpath(path))
        if key not in seen:
            seen[key] = path
            found.files.append(path)
            if walked:
                found.walked.add(path)
        return seen[key]

    for path in paths:
        if path == STDIN:
            if excluded is None or not excluded(stdin_filename):
                add(path, walked=excluded is not None)
            continue
        try:
            where = locate(path)
        except LinkLeavesTree as exc:
            found.notes.append(f"{path}: not linted: {exc.strerror}")
            continue
        mode, missing = _mode(path)
        if mode is not None and not stat.S_ISDIR(mode):
            if excluded is None or not excluded(path):
                add(path, walked=excluded is not None, key=where.real)
        elif mode is not None:
            walk = _Walk(path, where.real, where.repository or where.real, found)
            walked = sorted(walk.files(rules_for(Path(path))))
            if not walked:
                found.errors.append(f"no YAML or JSON files to lint under {path}")
            # A file found before under another name (a symlink to the folder) is linted
            # under that name: it stands for the folder's file in ``bodiless``.
            found.folders[path] = [add(file, walked=True, key=real) for file, real in walked]
        else:
            found.errors.append(f"{path}: {missing}")
    return found


def _mode(path: str) -> tuple[int | None, str]:
    """The file type and mode of what ``path`` leads to (one stat where os.path.exists and
    os.path.isdir are two: 2,000 named files are 2,000 stats less); None and why, if nothing
    can be read there."""
    try:
        return os.stat(path).st_mode, ""
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None, "no such file or directory"
        return None, f"cannot read: {exc.strerror or exc}"  # a loop, a folder not to be entered
    except ValueError:  # a NUL byte in the name
        return None, "no such file or directory"


class _Excluded:
    """--force-exclude: would walking skip this named file? Its name and the name of each
    folder below its configuration's folder (else the working folder, else its own) are
    matched as walking matches them, with the patterns and git's ignores of its folder."""

    def __init__(self, rules_for) -> None:
        self.rules_for = rules_for
        self.matchers: dict[tuple[str, WalkRules], _Ignored] = {}

    def __call__(self, path: str | None) -> bool:
        if path is None:
            return False
        full = os.path.abspath(path)
        if os.path.basename(full) in CONFIG_NAMES:
            return True
        rules = self.rules_for(Path(os.path.dirname(path) or "."))
        base, relative = None, None
        for top in (rules.top, os.getcwd()):
            relative = _relative(full, os.path.abspath(top)) if top is not None else None
            if relative not in (None, "."):
                base = os.path.abspath(top)
                break
        if base is None:
            base, relative = os.path.dirname(full), os.path.basename(full)
        ignored = self.matchers.get((base, rules))
        if ignored is None:
            ignored = self.matchers[base, rules] = _Ignored(base, rules)
        parts = relative.split("/")
        current = base
        for depth, part in enumerate(parts, 1):
            current = os.path.join(current, part)
            if ignored(current, part, is_dir=depth < len(parts)):
                return True
        return False


def is_spec_name(name: str) -> bool:
    return name.lower().endswith(SPEC_SUFFIXES) and name not in CONFIG_NAMES


class _Walk:
    """The spec files below one named folder, each with its real path.

    A symlink is followed, to a file or a folder, when its target lies in ``repository``
    (each real folder is walked once, so a link to a folder above cannot loop); one that leads
    out of it is a note. A file that is not a symlink has the real path of its folder joined
    with its name: no ``realpath`` call per file.
    """

    def __init__(self, root: str, real: str, repository: str, found: Discovery):
        self.root, self.real, self.repository = root, real, repository
        self.errors, self.notes = found.errors, found.notes

    def files(self, rules: WalkRules) -> Iterator[tuple[str, str]]:
        ignored = _Ignored(self.root, rules)
        stack, visited = [(self.root, self.real)], {self.real}
        while stack:
            folder, real_folder = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError as exc:
                self.errors.append(f"{folder}: cannot read folder: {exc.strerror or exc}")
                continue
            for entry in entries:
                link = entry.is_symlink()
                try:
                    is_dir = entry.is_dir(follow_symlinks=link)
                    if not (is_dir or (is_spec_name(entry.name) and entry.is_file())):
                        continue
                except OSError as exc:  # a link that loops (ELOOP): it leads nowhere
                    self.notes.append(f"{_shown(entry.path)}: not linted: {exc.strerror or exc}")
                    continue
                if ignored(entry.path, entry.name, is_dir=is_dir):
                    continue
                name = entry.name
                real = os.path.realpath(entry.path) if link else f"{real_folder}{os.sep}{name}"
                if link and not within(real, self.repository):
                    shown = _shown(entry.path)
                    self.notes.append(
                        f"{shown}: not linted: a symlink takes it to {real}, outside the "
                        f"repository {self.repository}"
                    )
                elif is_dir and real not in visited:
                    visited.add(real)
                    stack.append((entry.path, real))
                elif not is_dir:
                    yield _shown(entry.path), real


def _shown(path: str) -> str:
    """``path`` without its leading ``./`` (and the slashes after it: ``.//a`` is ``a``,
    never the absolute ``/a``)."""
    return path[2:].lstrip("/") if path.startswith("./") else path


class _Ignored:
    """Is a path below ``root`` excluded: by name, by a pattern, or by git's ignore files?"""

    def __init__(self, root: str, rules: WalkRules):
        # One regex for all name patterns: what fnmatchcase does for each, in one match.
        either = "|".join(fnmatch.translate(pattern) for pattern in rules.names)
        self.names = re.compile(either).match if either else None
        self.specs: list[tuple[str, object]] = [
            (os.path.abspath(base), _spec(lines)) for base, lines in rules.patterns if lines
        ]
        self.git = _GitIgnores(root) if rules.respect_gitignore else None
        # A folder named on the command line is walked even when a pattern or git ignores it:
        # the rules that match it would match everything below it.
        full = os.path.abspath(root)
        self.specs = [(b, s) for b, s in self.specs if not _matches(s, full, b, is_dir=True)]
        if self.git is not None and self.git.ignored(full, is_dir=True):
            self.git = None

    def __call__(self, path: str, name: str, *, is_dir: bool) -> bool:
        if self.names is not None and self.names(name):
            return True
        if not self.specs and self.git is None:
            return False
        full = os.path.abspath(path)
        if any(_matches(spec, full, base, is_dir=is_dir) for base, spec in self.specs):
            return True
        return self.git is not None and self.git.ignored(full, is_dir)


def _matches(spec, path: str, base: str, *, is_dir: bool) -> bool:
    relative = _relative(path, base)
    return relative not in (None, ".") and spec.match_file(relative + ("/" if is_dir else ""))


class _GitIgnores:
    """git's ignore rules for files of one work tree: its repository's info/exclude (worktrees and
    submodules included) and every .gitignore."""

    def __init__(self, start: str):
        self.top = _work_tree(os.path.abspath(start))
        self.by_folder: dict[str, object | None] = {}
        self.tracked: Tracked | bool | None = False  # False: the index is not read yet

    def ignored(self, path: str, is_dir: bool) -> bool:
        if self.top is None:
            return False
        verdict = None
        for folder, spec in self._chain(os.path.dirname(path)):
            result = spec.check_file(_relative(path, folder) + ("/" if is_dir else ""))
            if result.include is not None:
                verdict = result.include
        return bool(verdict) and not self._is_tracked(path, is_dir)

    def _is_tracked(self, path: str, is_dir: bool) -> bool:
        """git's own rule: a file it tracks is never ignored (``git add -f``), nor a folder
        holding one. Read from the index, only once something is ignored."""
        if self.tracked is False:
            git_dir, common_dir = _git_dirs(self.top)
            config = os.path.join(common_dir, "config")
            sha256 = _config_value(config, "extensions", "objectformat") == "sha256"
            self.tracked = read_tracked(git_dir, 32 if sha256 else 20)
        relative = _relative(path, self.top)
        return bool(self.tracked and relative and self.tracked.holds(relative, is_dir))

    def _chain(self, folder: str) -> Iterable[tuple[str, object]]:
        relative = _relative(folder, self.top)
        if relative is None:
            return []
        folders = [self.top]
        for part in Path(relative).parts if relative != "." else ():
            folders.append(os.path.join(folders[-1], part))
        chain = []
        for each in folders:
            if each not in self.by_folder:
                self.by_folder[each] = self._read(each)
            if self.by_folder[each] is not None:
                chain.append((each, self.by_folder[each]))
        return chain

    def _read(self, folder: str):
        sources = [os.path.join(folder, ".gitignore")]
        if folder == self.top:  # git's order: a later source's rule overrides an earlier one
            git_dir, common_dir = _git_dirs(folder)
            exclude = os.path.join(common_dir, "info", "exclude")
            sources[:0] = [_excludes_file(folder, git_dir, common_dir), exclude]
        lines: list[str] = []
        for source in sources:
            lines.extend(_lines(source))
        return _spec(lines) if lines else None


def _excludes_file(top: str, git_dir: str, common_dir: str) -> str:
    """git's ``core.excludesFile``: from the repository's, the user's or the system's git
    config (in git's order, the last setting wins), else ``$XDG_CONFIG_HOME/git/ignore``."""
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    if os.environ.get("GIT_CONFIG_GLOBAL"):
        user = [os.environ["GIT_CONFIG_GLOBAL"]]
    else:
        user = [os.path.join(xdg, "git", "config"), os.path.join(home, ".gitconfig")]
    system = [] if os.environ.get("GIT_CONFIG_NOSYSTEM") else ["/etc/gitconfig"]
    configs = [*system, *user, os.path.join(common_dir, "config")]
    if git_dir != common_dir:  # a linked worktree's own settings (extensions.worktreeConfig)
        configs.append(os.path.join(git_dir, "config.worktree"))
    found = os.path.join(xdg, "git", "ignore")
    for config in configs:
        value = _config_value(config, "core", "excludesfile")
        if value is not None:
            found = os.path.join(top, os.path.expanduser(value))
    return found


def _config_value(config: str, want: str, key: str) -> str | None:
    """The ``key`` (lowercase) of section ``want`` of one git config file, if set there."""
    section, value = "", None
    for line in _lines(config):
        text = line.strip()
        if text.startswith("["):
            section = text[1:].split("]", 1)[0].strip().lower()
            text = text.split("]", 1)[1].strip() if "]" in text else ""
        name, equals, rest = text.partition("=")
        if section == want and equals and name.strip().lower() == key:
            rest = rest.strip()
            if len(rest) > 1 and rest[0] == rest[-1] == '"':
                value = rest[1:-1]
            else:  # an unquoted # or ; starts a comment
                value = rest.replace(";", "#").split("#", 1)[0].strip()
    return value or None


_GIT_FILE_BYTES = 1024 * 1024  # read of each .gitignore, info/exclude and git config


def _lines(path: str) -> list[str]:
    """The lines of a git ignore or config file: none if it is missing or not a regular file
    (a link to a FIFO would block), only its first MiB if it is bigger."""
    try:
        raw = read_regular(path, _GIT_FILE_BYTES)[:_GIT_FILE_BYTES]
    except OSError:
        return []
    return raw.decode("utf-8", errors="replace").splitlines()


def _git_dirs(top: str) -> tuple[str, str]:
    """(git dir, common dir) of the work tree at ``top``. Usually both are ``top/.git``. In a
    linked worktree or a submodule ``.git`` is a file, ``gitdir: PATH``, naming the git dir;
    a worktree's git dir has a ``commondir`` file naming the main repository's, where
    ``info/exclude`` and ``config`` are."""
    git_dir = os.path.join(top, ".git")
    if not os.path.isdir(git_dir):
        first = next(iter(_lines(git_dir)), "")
        if not first.startswith("gitdir:"):
            return git_dir, git_dir
        git_dir = os.path.normpath(os.path.join(top, first[len("gitdir:") :].strip()))
    common = next(iter(_lines(os.path.join(git_dir, "commondir"))), "").strip()
    return git_dir, os.path.normpath(os.path.join(git_dir, common)) if common else git_dir


def _work_tree(folder: str) -> str | None:
    """The top folder of the git work tree holding ``folder``, if any."""
    for each in (folder, *map(str, Path(folder).parents)):
        if os.path.exists(os.path.join(each, ".git")):
            return each
    return None


def _relative(path: str, base: str) -> str | None:
    relative = os.path.relpath(path, base)
    return (
        None
        if relative == ".." or relative.startswith(".." + os.sep)
        else relative.replace(os.sep, "/")
    )


def _spec(lines: Sequence[str]):
    import pathspec  # only when walking with patterns or inside a git work tree

    return pathspec.GitIgnoreSpec.from_lines(lines)
