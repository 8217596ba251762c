"""The package's shape: no import cycle, one CLI that lists every command, shared options."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import resilience

PACKAGE = Path(resilience.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, *, deferred: bool) -> list[ast.Import | ast.ImportFrom]:
    """The import statements of a module, never the typing-only ones.

    With ``deferred``, also those inside functions (run at call time): a circle through
    them is still two modules depending on each other, only hidden from import time.
    """
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) and not deferred:
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def import_graph(*, deferred: bool = False) -> nx.DiGraph:
    """Modules of ``resilience`` and which of them each one imports.

    ``from resilience.x import y`` counts as importing ``resilience.x.y`` when that is a
    module, else ``resilience.x``. The implicit import of a parent package is not counted
    (it runs the parent's ``__init__``, which must then not import the child back -- that
    is checked through the parent's own edges).
    """
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree, deferred=deferred):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                if target in modules and target != name:
                    graph.add_edge(name, target)
    return graph


def test_import_graph_sees_the_cli_package() -> None:
    graph = import_graph()
    # The walk itself: the CLI package imports its command modules, they import _common.
    assert graph.has_edge("resilience.cli", "resilience.cli.analyse")
    assert graph.has_edge("resilience.cli.analyse", "resilience.cli._common")


def _cycles(graph: nx.DiGraph) -> str:
    return "; ".join(" -> ".join([*c, c[0]]) for c in nx.simple_cycles(graph) if len(c) > 1)


def test_no_import_cycle_at_import_time() -> None:
    assert not _cycles(import_graph()), _cycles(import_graph())


def test_no_import_cycle_in_the_cli() -> None:
    # Counting imports inside functions too: the CLI modules form no circle, with each
    # other or through the library.
    graph = import_graph(deferred=True)
    cli = [c for c in nx.simple_cycles(graph) if any(m.startswith("resilience.cli") for m in c)]
    assert not cli, cli


def test_no_import_cycle_at_all() -> None:
    assert not _cycles(import_graph(deferred=True)), _cycles(import_graph(deferred=True))


def test_only_the_cli_package_imports_command_modules() -> None:
    graph = import_graph()
    commands = [
        m
        for m in graph
        if m.startswith("resilience.cli.") and not m.rpartition(".")[2].startswith("_")
    ]
    for module in commands:
        importers = set(graph.predecessors(module))
        assert importers <= {"resilience.cli"}, f"{module} imported by {importers}"
