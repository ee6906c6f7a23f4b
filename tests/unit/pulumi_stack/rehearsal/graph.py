"""Capture the resource graph a Pulumi program registers under mocks, with its dependencies.

`GraphMonitor` is a MockMonitor that also keeps what the engine would use to order the deployment:
`request.dependencies` (explicit `depends_on`, expanded from components to their resources, plus every
resource an Output input came from) and the provider of each resource. A resource waits for all of those
and for its provider, so `ancestors(urn)` is exactly what a real `pulumi up` guarantees has finished before
the resource's create runs; anything else may run before, after or at the same time.
"""

from __future__ import annotations

import runpy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.sync_await import _sync_await


@dataclass(frozen=True)
class Node:
    urn: str
    typ: str
    name: str
    inputs: Mapping[str, Any]
    parent: str | None
    provider: str | None  # URN of the provider resource (None: default provider)
    custom: bool
    dependencies: frozenset[str]  # explicit + implicit (Output inputs), as sent to the engine
    property_dependencies: Mapping[str, frozenset[str]]
    ignore_changes: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        return self.name


class GraphMonitor(MockMonitor):
    """A MockMonitor that records every registration with its dependencies."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.nodes: list[Node] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = _sync_await(_deserialize(request.object))
        self.nodes.append(
            Node(
                urn=response.urn,
                typ=request.type,
                name=request.name,
                inputs={k: v for k, v in inputs.items() if k != "__provider"},
                parent=request.parent or None,
                provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
                custom=bool(request.custom),
                dependencies=frozenset(request.dependencies),
                property_dependencies={
                    key: frozenset(deps.urns) for key, deps in request.propertyDependencies.items()
                },
                ignore_changes=tuple(request.ignoreChanges),
            )
        )
        return response


async def _deserialize(struct: Any) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct))


@dataclass
class DeployGraph:
    nodes: list[Node] = field(default_factory=list)

    @cached_property
    def by_urn(self) -> dict[str, Node]:
        return {n.urn: n for n in self.nodes}

    @cached_property
    def children(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for node in self.nodes:
            if node.parent:
                found.setdefault(node.parent, []).append(node.urn)
        return found

    def _custom_descendants(self, urn: str) -> set[str]:
        out: set[str] = set()
        for child in self.children.get(urn, []):
            if self.by_urn[child].custom:
                out.add(child)
            out |= self._custom_descendants(child)
        return out

    def direct_dependencies(self, urn: str) -> set[str]:
        """What the engine waits for before creating `urn`: its dependencies (components expanded to
        their resources, as the SDK does) and its provider."""
        node = self.by_urn[urn]
        found: set[str] = set()
        for dep in node.dependencies:
            target = self.by_urn.get(dep)
            if target is None:
                continue
            found |= {dep} if target.custom else self._custom_descendants(dep)
        if node.provider and node.provider in self.by_urn:
            found.add(node.provider)
        found.discard(urn)
        return found

    @cached_property
    def _ancestors(self) -> dict[str, frozenset[str]]:
        memo: dict[str, frozenset[str]] = {}

        def visit(urn: str, stack: tuple[str, ...]) -> frozenset[str]:
            if urn in memo:
                return memo[urn]
            if urn in stack:
                raise ValueError(f"dependency cycle through {urn}")
            found: set[str] = set()
            for dep in self.direct_dependencies(urn):
                found.add(dep)
                found |= visit(dep, (*stack, urn))
            memo[urn] = frozenset(found)
            return memo[urn]

        for node in self.nodes:
            visit(node.urn, ())
        return memo

    def ancestors(self, urn: str) -> frozenset[str]:
        """Every resource guaranteed to have been created before `urn` is."""
        return self._ancestors[urn]

    def happens_before(self, first: str, second: str) -> bool:
        return first in self.ancestors(second)

    def in_dependency_order(self) -> Iterator[Node]:
        """Custom resources, each after everything it depends on (registration order breaks ties)."""
        done: set[str] = set()
        pending = [n for n in self.nodes if n.custom]
        while pending:
            ready = [n for n in pending if self.direct_dependencies(n.urn) <= done]
            if not ready:
                raise ValueError(f"dependency cycle among {[n.name for n in pending]}")
            for node in ready:
                done.add(node.urn)
                pending.remove(node)
                yield node

    def one(self, name: str) -> Node:
        found = [n for n in self.nodes if n.name == name]
        if len(found) != 1:
            raise KeyError(f"expected one resource named {name!r}, found {len(found)}")
        return found[0]

    def of_type(self, suffix: str) -> list[Node]:
        return [n for n in self.nodes if n.typ.endswith(suffix)]


def capture_program(
    program: Path, *, project: str, stack: str, config: Mapping[str, str], secret_keys: list[str]
) -> DeployGraph:
    """Run the Pulumi program at `program` under mocks and return the graph it registered."""
    from tests.unit.pulumi_stack.conftest import RecordingMocks

    mocks = RecordingMocks()
    monitor = GraphMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(dict(config), secret_keys)
    original = pulumi.export
    pulumi.export = lambda key, value: None  # type: ignore[assignment]

    @pulumi.runtime.test
    def run() -> None:
        runpy.run_path(str(program), run_name="__main__")

    try:
        run()
    finally:
        pulumi.export = original  # type: ignore[assignment]
    return DeployGraph(list(monitor.nodes))
