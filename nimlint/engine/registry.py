"""Assemble every known rule: shipped YAML and Python rules, entry points, extra paths."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from nimlint.engine.declarative import RuleFileError, load_builtin_rules, load_rule_file
from nimlint.engine.model import Rule
from nimlint.engine.python_rules import RuleSet


class Registry(Mapping[str, Rule]):
    """Rules by id, in a stable order; a duplicate id is an error."""

    def __init__(self, rules: Iterable[Rule]):
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in self._rules:
                first = self._rules[rule.id].origin
                raise RuleFileError(
                    f"duplicate rule id {rule.id}: defined by {first} and by {rule.origin}"
                )
            self._rules[rule.id] = rule
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


def build_registry(extra: Sequence[Path] = (), *, plugins: bool = True) -> Registry:
    """Every rule nimlint knows in this run."""
    from nimlint.checks import builtin_rules

    rules: list[Rule] = []
    rules.extend(load_builtin_rules())
    rules.extend(builtin_rules())
    if plugins:
        rules.extend(_entry_point_rules())
    for path in extra:
        rules.extend(load_extra(path))
    return Registry(rules)


def _entry_point_rules() -> Iterator[Rule]:
    from nimlint.engine.plugins import entry_points

    for entry in entry_points():
        try:
            loaded = entry.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, not raised
            raise RuleFileError(
                f"plugin {entry.name} ({entry.value}) failed to load: {exc}"
            ) from None
        yield from _rules_of(loaded, f"plugin {entry.name}")


def load_extra(path: Path) -> list[Rule]:
    """Rules from a rule file, a Python module, or a folder of them (--rules, extra-rules)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".py"))
        return [rule for file in files for rule in load_extra(file)]
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
    except Exception as exc:  # noqa: BLE001 - user code: report, never a traceback
        raise RuleFileError(
            f"{path}: cannot import rule module: {type(exc).__name__}: {exc}"
        ) from None
    return module


def _rules_of(obj, origin: str) -> Iterator[Rule]:
    rule_set = getattr(obj, "RULES", obj)
    if not isinstance(rule_set, RuleSet):
        raise RuleFileError(f"{origin}: expected a RuleSet (or a module with RULES = RuleSet())")
    yield from rule_set
