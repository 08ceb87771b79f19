"""Assemble every known rule: shipped YAML and Python rules, entry points, extra paths."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from nimlint.engine.declarative import RuleFileError, load_builtin_rules, load_rule_file
from nimlint.engine.model import Rule
from nimlint.engine.python_rules import RuleSet
from nimlint.messages import clip


class Registry(Mapping[str, Rule]):
    """Rules by id, in a stable order; a duplicate id or name (in any case) is an error: the
    selectors that name them could not tell the two apart."""

    def __init__(self, rules: Iterable[Rule], skipped: Sequence[Path] = ()):
        self.skipped = tuple(skipped)  # Python rule modules not imported (--no-python-rules)
        self._rules: dict[str, Rule] = {}
        ids: dict[str, Rule] = {}
        names: dict[str, Rule] = {}
        for rule in rules:
            first = ids.get(rule.id.upper())
            if first is not None:
                raise RuleFileError(
                    f"duplicate rule id {rule.id}: defined by {first.origin} and by {rule.origin}"
                )
            first = names.get(rule.name.lower())
            if first is not None:
                raise RuleFileError(
                    f"duplicate rule name {rule.name.lower()}: {first.id} (defined by "
                    f"{first.origin}) and {rule.id} (defined by {rule.origin})"
                )
            ids[rule.id.upper()] = names[rule.name.lower()] = self._rules[rule.id] = rule
        self.checks = tuple(r for r in self._rules.values() if r.check is not None)

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._rules, key=_id_order))

    def __len__(self) -> int:
        return len(self._rules)


def _id_order(rule_id: str) -> tuple[str, str]:
    head = rule_id.rstrip("0123456789")
    return head, rule_id[len(head) :].zfill(6)


def build_registry(
    extra: Sequence[Path] = (), *, plugins: bool = True, python_rules: bool = True
) -> Registry:
    """Every rule nimlint knows in this run.

    Without ``python_rules`` no code from outside nimlint is imported: no plugin, and the
    Python modules among ``extra`` are skipped (listed in ``Registry.skipped``).
    """
    from nimlint.checks import builtin_rules

    rules: list[Rule] = []
    rules.extend(load_builtin_rules())
    rules.extend(builtin_rules())
    if plugins and python_rules:
        rules.extend(_entry_point_rules())
    files = [file for path in extra for file in _rule_files(path)]
    skipped = [] if python_rules else [f for f in files if f.suffix == ".py"]
    for file in files:
        if file not in skipped:
            rules.extend(load_extra(file))
    return Registry(rules, skipped)


def _entry_point_rules() -> Iterator[Rule]:
    from nimlint.engine.plugins import entry_points

    for entry in entry_points():
        try:
            loaded = entry.load()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a plugin cannot end the run
            raise RuleFileError(
                f"plugin {entry.name} ({entry.value}) failed to load: {clip(str(exc))}"
            ) from None
        yield from _rules_of(loaded, f"plugin {entry.name}")


def _rule_files(path: Path) -> list[Path]:
    """The rule files a --rules or extra-rules path names: itself, or a folder's files."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".py"))
    return [path]


def load_extra(path: Path) -> list[Rule]:
    """Rules from one rule file or Python module (--rules, extra-rules)."""
    if not path.exists():
        raise RuleFileError(f"{path}: no such rule file or folder")
    if path.suffix == ".py":
        return list(_rules_of(_import_path(path), str(path)))
    return load_rule_file(path)


def _import_path(path: Path):
    name = f"nimlint_extra_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code cannot end the run
        raise RuleFileError(
            f"{path}: cannot import rule module: {type(exc).__name__}: {clip(str(exc))}"
        ) from None
    return module


def _rules_of(obj, origin: str) -> Iterator[Rule]:
    rule_set = getattr(obj, "RULES", obj)
    if not isinstance(rule_set, RuleSet):
        raise RuleFileError(f"{origin}: expected a RuleSet (or a module with RULES = RuleSet())")
    yield from rule_set
