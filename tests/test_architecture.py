"""The one-way house, as docs/architecture.md draws it: every import (lazy ones included) goes
down the layers, none forms a cycle, and only the CLI imports click."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nimlint"

# Lowest first. A module may import from its own layer or a lower one, never a higher one.
LAYERS = (
    (
        "nimlint",
        "nimlint.capping",
        "nimlint.findings",
        "nimlint.escaping",
        "nimlint.files",
        "nimlint.repository",
        "nimlint.resources",
    ),
    ("nimlint.loading", "nimlint.messages", "nimlint.k8s"),
    ("nimlint.schema",),
    ("nimlint.engine", "nimlint.checks"),
    ("nimlint.effective",),
    ("nimlint.policy",),
    ("nimlint.options", "nimlint.config", "nimlint.discovery", "nimlint.gitindex"),
    ("nimlint.setups", "nimlint.targets"),
    ("nimlint.fixer",),
    ("nimlint.pipeline",),
    ("nimlint.driver",),
    ("nimlint.lint", "nimlint.run"),
    ("nimlint.report", "nimlint.docs"),
    ("nimlint.cli", "nimlint.console", "nimlint.__main__", "nimlint.server"),
)


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {other for other in imports(path) if other in known and other != name}
        for name, path in known.items()
    }


def layer(module: str) -> int | None:
    best = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            # The package itself is a layer of its own; it is not every module's prefix.
            matches = module == prefix or (prefix != "nimlint" and module.startswith(prefix + "."))
            if matches and (best is None or len(prefix) > best[1]):
                best = (rank, len(prefix))
    return None if best is None else best[0]


def test_every_module_belongs_to_a_layer() -> None:
    assert [name for name in modules() if layer(name) is None] == []


def test_imports_only_go_down() -> None:
    upward = [
        f"{name} -> {other}"
        for name, others in sorted(graph().items())
        for other in sorted(others)
        if layer(other) > layer(name)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for other in sorted(edges[name]):
            visit(other, [*path, name])
        done.add(name)

    for name in sorted(edges):
        visit(name, [])


def test_only_the_cli_imports_click() -> None:
    users = sorted(
        name
        for name, path in modules().items()
        if any(m == "click" or m.startswith("click.") for m in imports(path))
    )
    assert users == ["nimlint.cli"]


def test_an_upward_import_would_be_caught(tmp_path: Path) -> None:
    """The walker sees lazy imports: a function-level import counts like a top-level one."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from nimlint.cli import main\n")
    assert "nimlint.cli" in imports(module)
    assert layer("nimlint.cli") > layer("nimlint.loading.model")
