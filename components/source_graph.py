"""The first-party import graph of the project's packages, read from source with `ast` (nothing is imported).

Two uses: a lifecycle step's fingerprint covers exactly the modules its code can reach
(components/lifecycle.py), and a test keeps `c360/` free of import cycles (tests/unit/test_import_graph.py).

Edges follow the usual reading of an import (as grimp/import-linter do): `from a.b import c` points at the
module `a.b.c` when it is one, else at `a.b`; a package's `__init__` running first is not an edge.
Imports under `if TYPE_CHECKING:` never run and are left out. Imports inside functions run only when the
function does; they are kept apart (`lazy`) so a caller can choose: a fingerprint follows them, the cycle
check counts them separately.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx


@dataclass(frozen=True)
class ImportGraph:
    modules: dict[str, Path]  # dotted module name -> its file
    top: dict[str, frozenset[str]]  # imports that run when the module is imported
    lazy: dict[str, frozenset[str]]  # imports that run only inside a function (and not also at the top)

    def digraph(self, *, with_lazy: bool) -> nx.DiGraph[str]:
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(self.modules)
        for module in self.modules:
            graph.add_edges_from((module, t) for t in self.top[module])
            if with_lazy:
                graph.add_edges_from((module, t) for t in self.lazy[module])
        return graph

    def closure(self, starts: Iterable[str], *, avoid: Iterable[str] = ()) -> frozenset[str]:
        """Every module reachable from `starts` through top-level and lazy imports, with the packages
        whose `__init__` runs on the way; modules in `avoid` are neither entered nor included."""
        graph = self.digraph(with_lazy=True)
        graph.add_edges_from((m, p) for m in self.modules for p in _parents(m) if p in self.modules)
        graph.remove_nodes_from([m for m in avoid if m not in starts])
        reached = {m for m in starts if m in graph}
        for module in list(reached):
            reached |= nx.descendants(graph, module)
        return frozenset(reached)

    def cycles(self, *, with_lazy: bool = False) -> list[tuple[str, ...]]:
        """The import cycles: strongly connected groups of more than one module, each sorted."""
        groups = nx.strongly_connected_components(self.digraph(with_lazy=with_lazy))
        return sorted(tuple(sorted(g)) for g in groups if len(g) > 1)

    def lazy_import_count(self) -> int:
        return sum(len(targets) for targets in self.lazy.values())


def import_graph(root: Path, packages: Sequence[str]) -> ImportGraph:
    """The graph of the modules under `root/<package>` for each package, edges only between them."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "__pycache__" in parts:
                continue
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    top: dict[str, frozenset[str]] = {}
    lazy: dict[str, frozenset[str]] = {}
    for name, path in modules.items():
        found_top, found_lazy = _imports(name, path, modules)
        top[name] = frozenset(found_top - {name})
        lazy[name] = frozenset(found_lazy - found_top - {name})
    return ImportGraph(modules, top, lazy)


def _imports(name: str, path: Path, modules: dict[str, Path]) -> tuple[set[str], set[str]]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top: set[str] = set()
    lazy: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                continue
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            targets = top if not inside else lazy
            if isinstance(child, ast.Import):
                targets.update(t for t in (_owner(a.name, modules) for a in child.names) if t)
            elif isinstance(child, ast.ImportFrom):
                base = _absolute(child, package)
                for alias in child.names:
                    target = (
                        f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else _owner(base, modules)
                    )
                    if target:
                        targets.add(target)
            visit(child, inside)

    visit(ast.parse(path.read_text(), filename=str(path)), False)
    return top, lazy


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _owner(dotted: str, modules: dict[str, Path]) -> str | None:
    """The first-party module `dotted` names, or the nearest enclosing one; None outside the graph."""
    while dotted and dotted not in modules:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
