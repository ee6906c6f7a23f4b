"""Layers that point down: no import cycles inside c360/, and c360 and generators depend one way.

The graph is read from source (components/source_graph.py): module-level imports are the edges that
must not form a cycle. Imports inside functions are allowed (they defer heavy libraries such as dbt and
scikit-learn); at the time of writing there are 40 of them in c360/ and generators/, counted apart. A
cycle that closes only through one of them is still a layering smell: those are listed below as known
exceptions, each with the path that owns it, and any new one fails.
"""

from __future__ import annotations

from typing import Final

import pytest

from c360.paths import REPO_ROOT
from components.source_graph import ImportGraph, import_graph

# Cycles that close only through an import inside a function.
KNOWN_LAZY_CYCLES: Final[set[tuple[str, ...]]] = set()
# What generators may import from c360: the shared modules that import nothing of the project.
SHARED_WITH_GENERATORS: Final = {"c360.names", "c360.paths", "c360.reference"}
# Where the runtime may run the generators: the steps and commands that orchestrate them.
ORCHESTRATION: Final = ("c360.steps.", "c360.cli.", "c360.bench.")


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return import_graph(REPO_ROOT, ("c360", "generators"))


def test_no_module_level_import_cycles(graph: ImportGraph) -> None:
    assert graph.cycles() == []


def test_no_new_cycles_through_imports_inside_functions(graph: ImportGraph) -> None:
    found = set(graph.cycles(with_lazy=True))
    assert found - KNOWN_LAZY_CYCLES == set(), f"{graph.lazy_import_count()} imports inside functions"


def test_generators_import_only_the_shared_modules(graph: ImportGraph) -> None:
    used = {t for m in graph.modules if m.startswith("generators") for t in graph.top[m] | graph.lazy[m]}
    assert {t for t in used if t.startswith("c360")} <= SHARED_WITH_GENERATORS
    for shared in SHARED_WITH_GENERATORS:  # which import nothing of the project: the dependency is one way
        assert not graph.top[shared] | graph.lazy[shared], shared


def test_only_orchestration_runs_the_generators(graph: ImportGraph) -> None:
    users = {
        m
        for m in graph.modules
        if m.startswith("c360") and any(t.startswith("generators") for t in graph.top[m] | graph.lazy[m])
    }
    assert {m for m in users if not m.startswith(ORCHESTRATION)} == set()


def test_a_cycle_is_found(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("cyclic")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "a.py").write_text("from pkg.b import B\nA = 1\n")
    (root / "pkg" / "b.py").write_text("B = 2\n\ndef f():\n    from pkg import a\n")
    (root / "pkg" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"
    )
    cyclic = import_graph(root, ("pkg",))
    assert cyclic.cycles() == []  # b imports a only inside a function; c only for the type checker
    assert cyclic.cycles(with_lazy=True) == [("pkg.a", "pkg.b")]
    assert cyclic.lazy_import_count() == 1
    (root / "pkg" / "b.py").write_text("from . import a\nB = 2\n")
    assert import_graph(root, ("pkg",)).cycles() == [("pkg.a", "pkg.b")]
