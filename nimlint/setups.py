"""Configuration setup: the rules, schemas and policy that one configuration lints with.

A ``Setup`` is built once per configuration file in use (``Setups`` caches them by folder), so
thousands of files under one ``.nimlint.yaml`` share one registry and one schema set.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nimlint.config import Config, ConfigError, find_config_file, load_config
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
    try:
        registry = build_registry(extra, plugins=options.plugins, python_rules=options.python_rules)
        schemas = from_openapi(config.openapi) if config.openapi else shipped()
    except (RuleFileError, OpenAPIError) as exc:
        raise UsageError(str(exc)) from None
    config = resolve_rule_names(config, registry)
    check_selectors(config, registry)
    policy = merged_policy(options.policies or config.policy)
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


def _names_rules(selector: str, registry: Registry) -> bool:
    return selector == "ALL" or any(rule.startswith(selector) for rule in registry)


def resolve_rule_names(config: Config, registry: Registry) -> Config:
    """``config`` with rule names (``unknown-key``) in selectors replaced by their ids."""
    ids = {rule.name.lower(): rule.id for rule in registry.values()}

    def to_id(selector: str) -> str:
        if _names_rules(selector, registry):
            return selector
        return ids.get(selector.lower(), selector)

    def all_ids(selectors: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(to_id(s) for s in selectors)

    return config._replace(
        select=all_ids(config.select),
        ignore=all_ids(config.ignore),
        per_file_ignores=tuple((glob, all_ids(s)) for glob, s in config.per_file_ignores),
        severity={to_id(s): level for s, level in config.severity.items()},
    )


def check_selectors(config: Config, registry: Registry) -> None:
    """Every id, prefix or name in the configuration must name at least one rule.

    Not checked when Python rule modules were skipped: the ids may be theirs.
    """
    if registry.skipped:
        return
    where = f"{config.source}: " if config.source else ""
    selectors = [
        *config.select,
        *config.ignore,
        *(i for _, ids in config.per_file_ignores for i in ids),
    ]
    unknown = [
        f"{where}unknown rule id, prefix or name {selector!r}"
        for selector in selectors
        if not _names_rules(selector, registry)
    ] + [
        f"{where}key 'severity': unknown rule id, prefix or name {selector!r}"
        for selector in config.severity
        if not _names_rules(selector, registry)
    ]
    if unknown:
        raise UsageError(*unknown)
