"""Configuration setup: the rules, schemas and policy that one configuration lints with.

A ``Setup`` is built once per configuration file in use (``Setups`` caches them by folder), so
thousands of files under one ``.nimlint.yaml`` share one registry and one schema set.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nimlint.config import (
    Config,
    ConfigError,
    find_config_file,
    load_config,
    resolved_selectors,
    selector_problems,
)
from nimlint.engine.declarative import RuleFileError
from nimlint.engine.registry import Registry, build_registry
from nimlint.options import Options, UsageError
from nimlint.schema.kinds import KINDS
from nimlint.schema.schemaset import OpenAPIError, SchemaSet, from_openapi, shipped


class Setup:
    """Everything needed to lint under one configuration, and the semantic rules it runs."""

    def __init__(self, config: Config, registry: Registry, schemas: SchemaSet, policy=None):
        self.config = config
        self.registry = registry
        self.schemas = schemas
        self.policy = policy  # the merged policy (nimlint.policy.merge.MergedPolicy), if any
        checks = [r for r in registry.checks if config.selected(r.id)]  # per file: pipeline
        # The rules that check each kind of document, in registry order.
        self.checks = {kind: tuple(r for r in checks if kind in r.kinds) for kind in KINDS}


def config_file_for(folder: Path, options: Options) -> Path | None:
    """The configuration file that governs ``folder``: --config, else found upward; none when
    isolated."""
    if options.isolated:
        return None
    return options.config_file or find_config_file(folder.resolve())


def read_config(source: Path | None) -> Config:
    """The configuration in ``source`` (defaults without one); UsageError when it is bad."""
    try:
        return load_config(source) if source else Config()  # as found: a symlink shows
    except ConfigError as exc:
        raise UsageError(*exc.args) from None


class Setups:
    """One Setup per configuration file in use, looked up by folder."""

    def __init__(self, options: Options):
        self.options = options
        self._by_source: dict[Path | None, Setup] = {}
        self._by_folder: dict[Path, Setup] = {}

    def __iter__(self):
        """Every Setup built so far."""
        return iter(list(self._by_source.values()))

    def for_folder(self, folder: Path) -> Setup:
        """The Setup for files in ``folder`` (configuration found upward, or --config)."""
        setup = self._by_folder.get(folder)
        if setup is None:
            setup = self._by_folder[folder] = self._from(config_file_for(folder, self.options))
        return setup

    def _from(self, source: Path | None) -> Setup:
        if source not in self._by_source:
            self._by_source[source] = build_setup(read_config(source), self.options)
        return self._by_source[source]


def build_setup(base: Config, options: Options) -> Setup:
    """The Setup of configuration ``base`` with the command line's overrides."""
    config = base.merged(options.overrides)
    extra = (*config.extra_rules, *options.extra_rules)
    problems = []  # every problem of the configuration's files at once
    registry = schemas = policy = None
    try:
        registry = build_registry(extra, plugins=options.plugins, python_rules=options.python_rules)
    except RuleFileError as exc:
        problems.append(str(exc))
    try:
        schemas = from_openapi(config.openapi) if config.openapi else shipped()
    except OpenAPIError as exc:
        problems.append(str(exc))
    try:
        policy = merged_policy(options.policies or config.policy)
    except UsageError as exc:
        problems.extend(exc.args)
    if registry is not None:  # rule ids are checked once the rule files load
        config = resolve_rule_names(config, registry)
        given = {key for key, value in options.overrides.items() if value is not None}
        problems.extend(selector_problems_of(config, registry, given))
    if problems:
        raise UsageError(*problems)
    return Setup(config, registry, schemas, policy)


def merged_policy(paths: Sequence[Path]):
    """The merged policy of ``paths`` (None without any); UsageError for a bad policy."""
    if not paths:
        return None
    from nimlint.policy.load import PolicyError, load_policy
    from nimlint.policy.merge import merge

    policies, problems = [], []
    for path in paths:
        try:
            policies.append(load_policy(path))
        except PolicyError as exc:
            problems.extend(exc.lines)
    try:
        if not problems:
            return merge(policies)
    except PolicyError as exc:
        problems.extend(exc.lines)
    raise UsageError("\n".join(problems))


def resolve_rule_names(config: Config, registry: Registry) -> Config:
    """``config`` with selectors spelled as ids: any case, or rule names (``unknown-key``)."""
    names = {rule.name.lower(): rule.id for rule in registry.values()}
    return resolved_selectors(config, list(registry), names)


def selector_problems_of(config: Config, registry: Registry, options=()) -> list[str]:
    """An error line per selector that names no rule (``options``: the Config fields the
    command line set). None when Python rule modules were skipped: the ids may be theirs."""
    if registry.skipped:
        return []
    names = [rule.name.lower() for rule in registry.values()]
    return selector_problems(config, options, list(registry), names)
