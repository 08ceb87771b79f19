"""How nimlint was asked to run: the options of one lint, and the error for bad ones."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple


class UsageError(Exception):
    """A problem with how nimlint was asked to run (exit code 2); one message per argument."""


# Records here are NamedTuples or plain classes: a dataclass decorator costs start-up time.


class Options(NamedTuple):
    """How to lint: a forced document kind, a config file, command-line overrides.

    ``isolated`` reads no configuration file; without ``python_rules`` no Python rule module
    (plugin, --rules or extra-rules) is imported.
    """

    kind: str | None = None
    config_file: Path | None = None
    overrides: Mapping[str, Any] = MappingProxyType({})
    extra_rules: tuple[Path, ...] = ()
    stdin_filename: str | None = None
    plugins: bool = True
    base: Path | None = None  # PATCH preview: the running service every update applies to
    fixes: bool = False  # attach each finding's fix (for --fix, --diff, JSON and SARIF)
    fix: str = ""  # apply fixes: "safe", or "unsafe" for safe and unsafe ones
    policies: tuple[Path, ...] = ()  # --policy files (replace the configuration's)
    isolated: bool = False
    python_rules: bool = True
    exclude: tuple[str, ...] = ()  # gitignore-style, relative to the working folder
    respect_gitignore: bool = True
    force_exclude: bool = False  # filter named files as walked ones (nimlint.discovery)
    excerpts: bool = True  # keep the text of the lines findings are on (the text format's)

    @property
    def wants_fixes(self) -> bool:
        return self.fixes or bool(self.fix)
