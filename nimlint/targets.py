"""Which files to lint: the discovery walk, with each folder's configured walk rules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nimlint.discovery import DEFAULT_EXCLUDE, Discovery, WalkRules, discover
from nimlint.options import Options
from nimlint.setups import config_file_for, read_config


def walk_rules(folder: Path, options: Options) -> WalkRules:
    """How to walk ``folder``: the excludes of its configuration and of the command line."""
    config = read_config(config_file_for(folder, options))
    return WalkRules(
        names=DEFAULT_EXCLUDE if config.exclude is None else (),
        patterns=(*config.walk_patterns(), (Path.cwd(), options.exclude)),
        respect_gitignore=config.respect_gitignore and options.respect_gitignore,
        top=config.root,
    )


def find_targets(paths: Sequence[str], options: Options) -> Discovery:
    """The files to lint for ``paths`` (folders walked with their walk rules)."""
    return discover(
        paths,
        lambda folder: walk_rules(folder, options),
        force_exclude=options.force_exclude,
        stdin_filename=options.stdin_filename,
    )
