"""Layers that point down: a module imports only modules of its own layer or of a layer below it.

The layers, top to bottom (docs/architecture.md draws the same picture from this list):
entry points, orchestration, services (one per managed-service contract and the app-facing features),
platform adapters, and the base every layer shares. The graph includes imports inside functions: a deferred
import still couples the layers.
"""

from __future__ import annotations

from typing import Final

import pytest

from c360.paths import REPO_ROOT
from components.source_graph import ImportGraph, import_graph

LAYERS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("entry points", ("c360.cli", "c360.bench", "c360.app_server")),
    ("orchestration", ("c360.steps", "c360.status_report")),
    (
        "services",
        ("c360.landing", "c360.transform", "c360.ml", "c360.assistant", "c360.alerts", "c360.app_health"),
    ),
    (
        "platform",
        (
            "c360.engines",
            "c360.storage",
            "c360.snapshots",
            "c360.observability",
            "c360.guard",
            "c360.sharing",
            "c360.ddl_tables",
        ),
    ),
    (
        "base",
        (
            "c360.config",
            "c360.outputs",
            "c360.errors",
            "c360.names",
            "c360.paths",
            "c360.reference",
            "c360.grants",
            "c360.masking",
            "c360.sqlfiles",
            "c360.files",
            "c360.percentiles",
            "c360.run_failures",
            "c360.values",
            "c360.faults",  # the fault-injection plan the settings carry
        ),
    ),
)


def layer_of(module: str) -> int | None:
    for depth, (_name, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return depth
    return None


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return import_graph(REPO_ROOT, ("c360",))


def test_every_module_has_a_layer(graph: ImportGraph) -> None:
    assert [m for m in graph.modules if m != "c360" and layer_of(m) is None] == []


def test_imports_point_down(graph: ImportGraph) -> None:
    upward = sorted(
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module in graph.modules
        if layer_of(module) is not None
        for target in graph.top[module] | graph.lazy[module]
        if layer_of(target) is not None and layer_of(target) < layer_of(module)
    )
    assert upward == []
