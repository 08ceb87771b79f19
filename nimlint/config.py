"""Configuration: defaults < config file < command line, resolved into one frozen object.

The file is ``.nimlint.yaml`` or the ``[tool.nimlint]`` table of ``pyproject.toml``, found
by walking up from the linted file's folder (``.nimlint.yaml`` wins in the same folder),
or given with ``--config``. Paths and globs in it are relative to the file's folder; with
``extend: PATH`` it inherits another file's keys (whose globs stay relative to that file).
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Collection, Mapping
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from nimlint.files import read_text
from nimlint.findings import Severity
from nimlint.messages import clip
from nimlint.repository import repository_of, within
from nimlint.schema.kinds import KINDS

MAX_CONFIG_BYTES = 1024 * 1024  # a configuration file is a few hundred bytes

KEYS = (
    "extend",
    "select",
    "ignore",
    "severity",
    "per-file-ignores",
    "fail-on",
    "extra-rules",
    "openapi",
    "bases",
    "policy",
    "exclude",
    "extend-exclude",
    "respect-gitignore",
    "kinds",
)


class ConfigError(ValueError):
    """A configuration file (or option) that cannot be used: file, key and reason."""


class Glob(NamedTuple):
    """An fnmatch glob ('*' crosses '/') and the folder of the configuration that wrote it."""

    pattern: str
    folder: Path

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(_relative(path, self.folder), self.pattern)


# gitignore-style patterns and the folder they are relative to (nimlint.discovery.WalkRules)
Patterns = tuple[Path, tuple[str, ...]]


class Config(NamedTuple):
    """Resolved settings for a set of files (a NamedTuple: a dataclass costs start-up time)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = MappingProxyType({})
    per_file_ignores: tuple[tuple[Glob, tuple[str, ...]], ...] = ()
    fail_on: Severity = Severity.ERROR
    extra_rules: tuple[Path, ...] = ()
    openapi: Path | None = None
    bases: tuple[tuple[Glob, Path], ...] = ()  # (glob, running service) for PATCH preview
    policy: tuple[Path, ...] = ()
    exclude: Patterns | None = None  # None: nimlint.discovery.DEFAULT_EXCLUDE
    extend_exclude: tuple[Patterns, ...] = ()  # each extended file's, then this one's
    respect_gitignore: bool = True
    kinds: tuple[tuple[Glob, str], ...] = ()  # (glob, document kind)
    root: Path | None = None  # the configuration's folder; None: the current directory
    source: Path | None = None
    # "FILE:LINE" of each key ("select") and selector ("select/S008"), for error messages
    places: Mapping[str, str] = MappingProxyType({})

    def selected(self, rule_id: str) -> bool:
        """Is ``rule_id`` reported for some file: selected and not ignored? (Per-file ignores
        are decided for each file by ``enabled``, never once for all files.)"""
        if self.select and not _matches(rule_id, self.select):
            return False
        return not _matches(rule_id, self.ignore)

    def enabled(self, rule_id: str, path: str) -> bool:
        """Is ``rule_id`` reported for file ``path``?"""
        if not self.selected(rule_id):
            return False
        return not any(
            _matches(rule_id, ids) and glob.matches(path) for glob, ids in self.per_file_ignores
        )

    def base_for(self, path: str) -> Path | None:
        """The running service that update ``path`` applies to (first matching glob)."""
        return self._first_match(path, self.bases)

    def kind_of(self, path: str) -> str | None:
        """The document kind configured for file ``path`` (first matching glob), if any."""
        return self._first_match(path, self.kinds)

    def _first_match(self, path: str, pairs: tuple[tuple[Glob, Any], ...]) -> Any:
        """The value of the first (glob, value) whose glob matches ``path``."""
        return next((value for glob, value in pairs if glob.matches(path)), None)

    def walk_patterns(self) -> tuple[Patterns, ...]:
        """The exclude patterns walking applies, each with the folder it is relative to."""
        return (*((self.exclude,) if self.exclude else ()), *self.extend_exclude)

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        """The configured severity of ``rule_id``: its id, else its longest matching prefix."""
        if rule_id in self.severity:
            return self.severity[rule_id]
        prefixes = [s for s in self.severity if s == "ALL" or rule_id.startswith(s)]
        if not prefixes:
            return default
        return self.severity[max(prefixes, key=lambda s: 0 if s == "ALL" else len(s))]

    def merged(self, overrides: Mapping[str, Any]) -> Config:
        """This config with command-line values (already parsed) on top."""
        return self._replace(**{k: v for k, v in overrides.items() if v is not None})


def _matches(rule_id: str, selectors: tuple[str, ...]) -> bool:
    return any(selector == "ALL" or rule_id.startswith(selector) for selector in selectors)


def _relative(path: str, root: Path) -> str:
    """``path`` relative to ``root`` (as given, if outside it), resolved from the working
    folder: cached, since each finding of a file asks again."""
    return _relative_from(path, root, os.getcwd())


@lru_cache(maxsize=4096)
def _relative_from(path: str, root: Path, cwd: str) -> str:
    try:
        return (Path(cwd) / path).resolve().relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()


def find_config_file(start: Path) -> Path | None:
    """The nearest .nimlint.yaml or pyproject.toml with [tool.nimlint], walking up."""
    for folder in (start, *start.parents):
        candidate = folder / ".nimlint.yaml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_nimlint_table(pyproject):
            return pyproject
    return None


def _has_nimlint_table(pyproject: Path) -> bool:
    """Does this pyproject.toml hold a ``tool.nimlint`` table, however TOML spells it
    (``[tool.nimlint]``, dotted keys, inline tables)? Parsed, never searched as text."""
    text = _read(pyproject)
    if "nimlint" not in text:  # cheap: no spelling of the table can avoid the word
        return False
    tool = _parse_toml(text, pyproject).get("tool", {})
    return isinstance(tool, dict) and "nimlint" in tool


def load_config(path: Path) -> Config:
    """Read and check one configuration file (and those it extends)."""
    return _load_from(path, os.getcwd())


@cache
def _load_from(path: Path, cwd: str) -> Config:
    """Cached per working folder too: the paths it holds are shown relative to it."""
    return _load(path, ())


load_config.cache_clear = _load_from.cache_clear  # a long-lived process reads changes again


def _load(path: Path, chain: tuple[Path, ...]) -> Config:
    """``path``'s configuration; ``chain``: the files extending it, from the first one."""
    text = _read(path)
    if path.name == "pyproject.toml":
        table = _parse_toml(text, path).get("tool", {}).get("nimlint", {})
    else:
        table = _parse_yaml(text, path)
    if not isinstance(table, dict):
        raise ConfigError(f"{shown(path)}: the configuration must be a mapping")
    return parse_table(table, path, chain, _places(text, path, table))


def _places(text: str, path: Path, table: Mapping[str, Any]) -> dict[str, str]:
    """ "FILE:LINE" of each key of ``table`` and of each rule selector under it."""
    label = shown(path)
    if path.name == "pyproject.toml":
        lines = _toml_lines(text, table)
    else:
        import yaml

        lines = {}
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
        for key, value in root.value if isinstance(root, yaml.MappingNode) else ():
            lines[str(key.value)] = key.start_mark.line + 1
            for item in _selector_nodes(value):
                lines.setdefault(f"{key.value}/{item.value}", item.start_mark.line + 1)
    return {name: f"{label}:{line}" for name, line in lines.items()}


def _selector_nodes(node) -> list:
    """The scalar nodes under a key's value: list items, mapping keys, and their lists' items
    (``select: [..]``, ``severity: {ID: ..}``, ``per-file-ignores: {GLOB: [ID..]}``)."""
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return [item for item in node.value if isinstance(item, yaml.ScalarNode)]
    if isinstance(node, yaml.MappingNode):
        found = []
        for key, value in node.value:
            found.append(key)
            found.extend(_selector_nodes(value) if isinstance(value, yaml.SequenceNode) else ())
        return found
    return []


def _toml_lines(text: str, table: Mapping[str, Any]) -> dict[str, int]:
    """The line of each key of the nimlint table, and of each selector under it, found in
    the text (tomllib keeps no positions): the first line that assigns the key, and the first
    line from there that quotes the selector."""
    import re

    rows = text.splitlines()
    lines: dict[str, int] = {}
    for key, value in table.items():
        assigns = re.compile(rf"""^\s*(?:tool\.nimlint\.)?["']?{re.escape(str(key))}["']?\s*=""")
        start = next((n for n, row in enumerate(rows) if assigns.match(row)), None)
        if start is None:
            continue
        lines[str(key)] = start + 1
        for item in _toml_selectors(value):
            quoted = (f'"{item}"', f"'{item}'")
            found = (n for n in range(start, len(rows)) if any(q in rows[n] for q in quoted))
            row = next(found, None)
            if row is not None:
                lines.setdefault(f"{key}/{item}", row + 1)
    return lines


def _toml_selectors(value: Any) -> list[str]:
    """List items, mapping keys and their lists' items, as ``_selector_nodes`` for YAML."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, dict):
        found = []
        for key, inner in value.items():
            found.append(str(key))
            if isinstance(inner, list):
                found.extend(str(item) for item in inner)
        return found
    return []


def shown(path: Path) -> Path:
    """``path`` as the user would type it: relative to the working folder when below it (so
    reports, annotations and fingerprints do not change with the checkout's place)."""
    if not path.is_absolute():
        return path
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _parse_toml(text: str, path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # its message ends "(at line N, column M)"
        raise ConfigError(f"{path}: cannot parse: {clip(str(exc))}") from None


def _parse_yaml(text: str, path: Path) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=yaml.CSafeLoader) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        reason = exc.problem or exc.context or "not valid YAML"
        raise ConfigError(f"{where}: cannot parse: {clip(reason)}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: cannot parse: {clip(str(exc))}") from None


def _read(path: Path) -> str:
    try:
        return read_text(path, MAX_CONFIG_BYTES, "a configuration")
    except OSError as exc:
        raise ConfigError(f"{shown(path)}: cannot read: {exc.strerror or exc}") from None


def parse_table(
    table: Mapping[str, Any],
    path: Path,
    chain: tuple[Path, ...] = (),
    places: Mapping[str, str] = MappingProxyType({}),
) -> Config:
    """Check the keys and values of a configuration table (``chain``: see ``_load``;
    ``places``: see ``Config.places``)."""
    root = path.parent.resolve()
    label = shown(path)
    errors = [
        f"{places.get(str(key), label)}: unknown key {clip(repr(key))} "
        f"({_did_you_mean(str(key), KEYS) or ''}known: {', '.join(KEYS)})"
        for key in table
        if key not in KEYS
    ]
    base = Config()
    if "extend" in table:
        try:
            base = _extended(table["extend"], root, label, (*chain, path.resolve()))
        except ConfigError as exc:
            errors.extend(exc.args)
    values: dict[str, Any] = {"root": root, "source": label, "places": {**base.places, **places}}
    for key, parse in _value_parsers(root, label).items():
        if key in table:
            try:
                values[key.replace("-", "_")] = parse(table[key])
            except ConfigError as exc:
                errors.extend(exc.args)
    if errors:
        raise ConfigError(*errors)
    if "extend_exclude" in values:  # extend-exclude adds to the extended file's list
        values["extend_exclude"] = (*base.extend_exclude, values["extend_exclude"])
    return base._replace(**values)


def _extended(value: Any, root: Path, label: Path, chain: tuple[Path, ...]) -> Config:
    """The configuration that ``extend: value`` names; a cycle is refused."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{label}: key 'extend' must be the path of a configuration file")
    target = _inside(root, value, f"{label}: key 'extend'")  # read as named: links checked
    real = target.resolve()
    if real in chain:
        cycle = " -> ".join(str(shown(p)) for p in (*chain[chain.index(real) :], real))
        raise ConfigError(f"{label}: key 'extend': a cycle: {cycle}")
    if not target.is_file():
        raise ConfigError(f"{label}: key 'extend': {shown(real)}: no such configuration file")
    return _load(target, chain)


def _value_parsers(root: Path, path: Path) -> dict[str, Any]:
    """Key -> function from the key's value to its Config field; each raises ConfigError."""
    return {
        "select": lambda value: _ids(value, path, "select"),
        "ignore": lambda value: _ids(value, path, "ignore"),
        "severity": lambda value: parse_severities(value, f"{path}: key 'severity'"),
        "per-file-ignores": lambda value: _per_file_ignores(value, root, path),
        "fail-on": lambda value: _severity(value, f"{path}: key 'fail-on'"),
        "extra-rules": lambda value: _paths(value, root, f"{path}: key 'extra-rules'"),
        "policy": lambda value: _paths(value, root, f"{path}: key 'policy'"),
        "openapi": lambda value: _path(value, root, f"{path}: key 'openapi'"),
        "bases": lambda value: _bases(value, root, path),
        "exclude": lambda value: (root, _patterns(value, path, "exclude")),
        "extend-exclude": lambda value: (root, _patterns(value, path, "extend-exclude")),
        "respect-gitignore": lambda value: _flag(value, f"{path}: key 'respect-gitignore'"),
        "kinds": lambda value: _kinds(value, root, path),
    }


def _per_file_ignores(
    globs: Any, root: Path, path: Path
) -> tuple[tuple[Glob, tuple[str, ...]], ...]:
    if not isinstance(globs, dict):
        raise ConfigError(f"{path}: key 'per-file-ignores' must map globs to rule ids")
    return tuple(
        (Glob(str(g), root), _ids(ids, path, f"per-file-ignores.{clip(str(g))}"))
        for g, ids in globs.items()
    )


def _inside(root: Path, value: str, where: str) -> Path:
    """``root / value``, if it lies in root's repository: a checkout's configuration names
    its own files, never ``../home/.git-credentials`` (symlinks are checked when read)."""
    path = root / value
    repository = repository_of(root)
    if not within(os.path.normpath(path), repository):
        raise ConfigError(
            f"{where}: {clip(value)} is outside the repository {repository} "
            "(a configuration may name only files of its own repository)"
        )
    return path


def _path(value: Any, root: Path, where: str) -> Path:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a path")
    return shown(_inside(root, value, where))


def _bases(bases: Any, root: Path, path: Path) -> tuple[tuple[Glob, Path], ...]:
    if not isinstance(bases, dict) or not all(isinstance(b, str) for b in bases.values()):
        raise ConfigError(f"{path}: key 'bases' must map globs to base files")
    where = f"{path}: key 'bases'"
    return tuple(
        (Glob(str(glob), root), shown(_inside(root, base, where))) for glob, base in bases.items()
    )


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false")
    return value


def _paths(value: Any, root: Path, where: str) -> tuple[Path, ...]:
    """A path or a list of paths, relative to the configuration file's folder."""
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"{where} must be a path or a list of paths")
    return tuple(shown(_inside(root, p, where)) for p in paths)


def _patterns(value: Any, path: Path, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ConfigError(f"{path}: key {key!r} must be a list of gitignore-style patterns")
    return tuple(value)


def _kinds(value: Any, root: Path, path: Path) -> tuple[tuple[Glob, str], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: key 'kinds' must map globs to create, update or response")
    for glob, kind in value.items():
        if kind not in KINDS:
            raise ConfigError(
                f"{path}: key 'kinds.{clip(str(glob))}': {clip(repr(kind))} is not create, "
                "update or response"
            )
    return tuple((Glob(str(glob), root), kind) for glob, kind in value.items())


def _did_you_mean(text: str, known: Collection[str]) -> str | None:
    """``did you mean 'X'? `` for the closest of ``known``, if one is close."""
    import difflib

    match = next(iter(difflib.get_close_matches(text, list(known), n=1, cutoff=0.6)), None)
    return f"did you mean {match!r}? " if match else None


def _ids(value: Any, path: Path, key: str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f"{path}: key {key!r} must be a list of rule ids or prefixes")
    return tuple(i.strip() for i in items if i.strip())


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: {clip(str(exc))}") from None


def parse_severities(value: Any, where: str) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must map rule ids to error, warning or info")
    return {str(rule): _severity(level, f"{where}.{rule}") for rule, level in value.items()}


# --- rule selectors against the rules a run knows ------------------------------------------

# (configuration key, Config field, command-line option that replaces it)
_SELECTORS = (
    ("select", "select", "--select"),
    ("ignore", "ignore", "--ignore"),
    ("per-file-ignores", "per_file_ignores", None),
    ("severity", "severity", "--severity"),
)


def _selectors(config: Config, field: str) -> list[str]:
    if field == "per_file_ignores":
        return [i for _, ids in config.per_file_ignores for i in ids]
    return list(getattr(config, field))


def resolved_selectors(config: Config, ids: Collection[str], names: Mapping[str, str]) -> Config:
    """``config`` with each selector spelled as the rules are: ids and prefixes upper case
    (``s008`` is ``S008``), rule names (``unknown-key``, any case) replaced by their ids.
    ``names`` maps each rule's lower-case name to its id; unknown selectors stay as written."""

    def spelled(selector: str) -> str:
        upper = selector.upper()
        if upper == "ALL" or any(rule.startswith(upper) for rule in ids):
            return upper
        return names.get(selector.lower(), selector)

    def all_of(selectors: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(spelled(s) for s in selectors)

    return config._replace(
        select=all_of(config.select),
        ignore=all_of(config.ignore),
        per_file_ignores=tuple((glob, all_of(s)) for glob, s in config.per_file_ignores),
        severity={spelled(s): level for s, level in config.severity.items()},
    )


def selector_problems(
    config: Config, options: Collection[str], ids: Collection[str], names: Collection[str]
) -> list[str]:
    """An error line for each selector of ``config`` (already ``resolved_selectors``) that
    names no rule, with a did-you-mean: blamed on ``FILE:LINE: key 'K'``, or on the option
    when the command line gave that key (``options``: the Config fields it set)."""
    problems = []
    for key, field, option in _SELECTORS:
        for selector in _selectors(config, field):
            if selector == "ALL" or any(rule.startswith(selector) for rule in ids):
                continue
            if option is not None and field in options:
                where = option
            else:
                place = config.places.get(f"{key}/{selector}") or config.places.get(key)
                where = f"{place or config.source}: key {key!r}"
            hint = _did_you_mean(selector.upper(), ids) or _did_you_mean(selector.lower(), names)
            hint = f" ({hint.rstrip()})" if hint else ""
            problems.append(f"{where}: unknown rule id, prefix or name {selector!r}{hint}")
    return problems
