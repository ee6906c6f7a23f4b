"""Lifecycle: the data lifecycle as stack steps, in `c360 up` order, one dynamic resource per step.

The steps are c360's own list (c360/steps/order.py) less the local-only ones. Each step's fingerprint
hashes what defines it, chained with the fingerprint of the step before it, so a change re-runs that step
and everything downstream — e.g. an edited dbt model re-runs dbt_build, churn_model and semantic_model,
but not the data generation. What defines a step: every first-party module its code can import (its
module and the runner `c360.steps.pipeline`, followed through all imports, top-level and inside
functions: components/source_graph.py), the non-Python files beside those modules, and the step's
declared data (SQL folders, the dbt project). Other steps' modules are left to their own fingerprints.
The scale (customers, months, seed, as-of) is an input of every step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pulumi

from c360.paths import REPO_ROOT
from c360.steps.order import STACK_STEPS, STEP_BY_NAME
from components.content_hash import is_skipped, sources_digest
from components.providers.lifecycle_step import LifecycleStep, LifecycleStepArgs
from components.snowflake_context import child
from components.source_graph import ImportGraph, import_graph

LIFECYCLE_STEPS: Final = STACK_STEPS
RUNNER: Final = "c360.steps.pipeline"  # every step runs through run_all(only=[step])
CODE_PACKAGES: Final = ("c360", "generators")


@dataclass(frozen=True)
class LifecycleArgs:
    customers: int
    months: int
    seed: int
    as_of: str
    bucket_name: pulumi.Input[str] | None = None
    region: str | None = None
    target: str = "snowflake"
    steps: tuple[str, ...] = LIFECYCLE_STEPS
    repo_root: Path = REPO_ROOT
    after: tuple[pulumi.Resource, ...] = ()  # infrastructure the first step needs

    def __post_init__(self) -> None:
        unknown = [s for s in self.steps if s not in LIFECYCLE_STEPS]
        if unknown:
            raise ValueError(f"unknown lifecycle step(s) {unknown}: choose from {list(LIFECYCLE_STEPS)}")
        order = [LIFECYCLE_STEPS.index(s) for s in self.steps]
        if order != sorted(order):
            raise ValueError(f"lifecycle steps must keep the order {list(LIFECYCLE_STEPS)}")


def step_fingerprints(steps: Sequence[str], repo_root: Path) -> dict[str, str]:
    """{step: fingerprint}, each chained to the previous step's fingerprint."""
    graph = import_graph(repo_root, CODE_PACKAGES)
    fingerprints: dict[str, str] = {}
    previous = ""
    for step in steps:
        own = sources_digest(repo_root, step_sources(step, graph, repo_root))
        previous = hashlib.sha256(f"{previous}|{step}|{own}".encode()).hexdigest()
        fingerprints[step] = previous
    return fingerprints


def step_sources(step: str, graph: ImportGraph, repo_root: Path) -> tuple[str, ...]:
    """What defines `step`: its code (module paths), the package data beside it, then its declared data
    (globs), all relative to `repo_root`."""
    others = [s.module for s in STEP_BY_NAME.values() if s.name != step]
    modules = graph.closure([STEP_BY_NAME[step].module, RUNNER], avoid=others)
    code = {graph.modules[m] for m in modules}
    package_data = {
        path
        for folder in {p.parent for p in code}
        for path in folder.iterdir()
        if path.is_file() and path.suffix != ".py" and not is_skipped(path.relative_to(repo_root))
    }
    files = sorted(p.relative_to(repo_root).as_posix() for p in code | package_data)
    return (*files, *STEP_BY_NAME[step].data)


class Lifecycle(pulumi.ComponentResource):
    steps: dict[str, LifecycleStep]

    def __init__(self, name: str, args: LifecycleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("c360:lifecycle:Lifecycle", name, {}, opts)
        self.fingerprints = step_fingerprints(args.steps, args.repo_root)
        self.steps = {}
        previous: LifecycleStep | None = None
        for step in args.steps:
            depends_on: list[pulumi.Resource] = [*args.after, *([previous] if previous else [])]
            previous = LifecycleStep(
                f"{name}-{step.replace('_', '-')}",
                LifecycleStepArgs(
                    step=step,
                    fingerprint=self.fingerprints[step],
                    customers=args.customers,
                    months=args.months,
                    seed=args.seed,
                    as_of=args.as_of,
                    target=args.target,
                    bucket=args.bucket_name,
                    region=args.region,
                ),
                opts=child(self, depends_on=depends_on),
            )
            self.steps[step] = previous
        self.register_outputs({"steps": {s: r.status for s, r in self.steps.items()}})
