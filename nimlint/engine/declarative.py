"""Declarative rules: YAML files under rules/ compiled into the same Rule object.

A file holds ``rules: [...]``; each rule has an id, name, severity, summary, rationale,
bad and good examples, optional ``kinds`` and ``fix`` (safe, unsafe or none), and either a
``check`` — ``where`` (a JSON
pointer glob such as ``/spec/tolerations/*``), ``function`` (see engine.functions),
``options``, an optional ``when`` list of conditions and an optional ``fix`` function
(see engine.repairs) — or ``reported-by`` (loader
or schema) for the rules those layers report themselves. Files are validated against
schemas/rule.schema.json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from nimlint.engine.context import Context
from nimlint.engine.functions import FUNCTIONS, condition_holds, condition_text
from nimlint.engine.model import KINDS, Rule
from nimlint.engine.repairs import REPAIRS
from nimlint.files import read_text
from nimlint.findings import Problem, Severity
from nimlint.messages import clip, field_name
from nimlint.resources import schema_path

MAX_RULE_FILE_BYTES = 4 * 1024 * 1024  # the shipped rule files take about 110 KB together


class RuleFileError(ValueError):
    """A rule file that cannot be loaded: names the file and the reason."""


@cache
def _rule_file_validator():
    import jsonschema_rs

    with open(schema_path("rule.schema.json"), encoding="utf-8") as handle:
        return jsonschema_rs.Draft202012Validator(json.load(handle), offline=True)


def load_rule_file(path: Path) -> list[Rule]:
    """Parse, validate and compile one rule file."""
    document = _read(path)
    try:
        errors = list(_rule_file_validator().iter_errors(document))
    except ValueError as exc:  # a YAML value that is not JSON data: a date, bytes, a set
        raise RuleFileError(f"{path}: invalid rule file: {clip(str(exc))}") from None
    if errors:  # the message quotes the file's content: at most MAX_QUOTED characters of it
        where = clip("/".join(str(p) for p in errors[0].instance_path)) or "(top)"
        raise RuleFileError(f"{path}: invalid rule file at {where}: {clip(errors[0].message)}")
    return compile_rules(document, path, builtin=False)


def load_builtin_rules() -> list[Rule]:
    """The shipped rule files, through the JSON cache (tests validate these files). A cached
    copy that does not compile is not what nimlint wrote: the files are read again."""
    from nimlint.engine import rule_cache

    paths = builtin_rule_files()
    documents = rule_cache.load(paths)
    if documents is not None:
        try:
            return _compile_files(paths, documents)
        except Exception:  # noqa: BLE001 - any malformed entry means: rebuild it
            pass
    documents = [_read(path) for path in paths]
    rule_cache.store(paths, documents)
    return _compile_files(paths, documents)


def _compile_files(paths: list[Path], documents: list) -> list[Rule]:
    return [
        rule
        for path, doc in zip(paths, documents, strict=True)
        for rule in compile_rules(doc, path)
    ]


def _read(path: Path) -> dict:
    try:
        text = read_text(path, MAX_RULE_FILE_BYTES, "a rule file")
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot read rule file: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{path}: cannot read rule file: {clip(str(exc))}") from None


def compile_rules(document: dict, path: Path, *, builtin: bool = True) -> list[Rule]:
    return [compile_rule(entry, origin=str(path), builtin=builtin) for entry in document["rules"]]


def compile_rule(entry: dict[str, Any], origin: str, *, builtin: bool = True) -> Rule:
    """Build a Rule from one validated rule entry; the patterns of a rule file that is not
    nimlint's own (``builtin``) run on RE2, which is linear in the input."""
    check = entry.get("check")
    return Rule(
        id=entry["id"],
        name=entry["name"],
        severity=Severity.parse(entry["severity"]),
        summary=entry["summary"],
        rationale=entry["rationale"].strip(),
        bad=entry["bad"],
        good=entry["good"],
        kinds=frozenset(entry.get("kinds", KINDS)),
        check=_compile_check(check, entry["id"], origin, builtin) if check else None,
        origin=origin,
        reported_by=entry.get("reported-by", "rules"),
        fix=entry.get("fix", "none"),
    )


def _compile_check(check: dict[str, Any], rule_id: str, origin: str, builtin: bool):
    function = FUNCTIONS[check["function"]]
    where = check.get("where", "")
    conditions = check.get("when", [])
    options = dict(check.get("options", {}))
    if "regex" in options:
        options["fullmatch"] = _fullmatch(options["regex"], rule_id, origin, builtin)
    if conditions:
        options["when-text"] = clip(" and ".join(condition_text(c) for c in conditions))
    message = clip(check["message"]) if "message" in check else None  # a checkout's text
    repair = REPAIRS[check["fix"]] if "fix" in check else None

    def run(ctx: Context) -> Iterator[Problem]:
        for pointer, node in ctx.each(where):
            if not isinstance(node, (dict, list)):
                continue
            for condition in conditions:
                if not condition_holds(node, pointer, condition, ctx):
                    break
            else:  # every condition holds (or there is none)
                for problem in function(node, options, pointer, ctx):
                    text = problem.message
                    if message:
                        text = message.replace("{default}", text).replace(
                            "{field}", field_name(problem.pointer)
                        )
                    proposed = repair(problem, node, pointer) if repair else problem.repair
                    yield Problem(problem.pointer, text, problem.at, proposed)

    return run


def _fullmatch(regex: str, rule_id: str, origin: str, builtin: bool):
    """The ``fullmatch`` of ``regex``: Python's for nimlint's own rules (each is tested to be
    linear, tests/long_inputs.py), RE2's for any other rule file: a pattern such as
    ``([a-z0-9]+|[a-z0-9-]+)*:`` backtracks for ever in Python, never in RE2."""
    if builtin:
        return re.compile(regex).fullmatch
    import re2  # google-re2: about 12 ms to import, so only for rule files from outside

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own error on stderr
    try:
        return re2.compile(regex, options=options).fullmatch
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args else "cannot compile"
        raise RuleFileError(
            f"{origin}: rule {rule_id}: regex {clip(regex, 60)!r} is not supported by RE2, "
            f"the linear-time engine rule files' patterns run on: {reason} (lookaround and "
            "backreferences are not)"
        ) from None


def builtin_rule_files() -> list[Path]:
    from nimlint.resources import data_dir

    return sorted(data_dir("rules").glob("*.yaml"))
