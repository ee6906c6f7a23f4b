"""Lifecycle: the data lifecycle as stack steps, in `c360 up` order, one dynamic resource per step.

Each step's fingerprint hashes the files that define it (code, SQL, the dbt project...) chained with
the fingerprint of the step before it, so a change re-runs that step and everything downstream — e.g.
an edited dbt model re-runs dbt_build, churn_model and semantic_model, but not the data generation.
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
from components.content_hash import sources_digest
from components.providers.lifecycle_step import LifecycleStep, LifecycleStepArgs
from components.snowflake_context import child

# The fixed step names, in order (c360/steps/pipeline.py implements them as they land).
LIFECYCLE_STEPS: Final = (
    "provision",
    "customers",
    "transactions",
    "dbt_build",
    "churn_model",
    "semantic_model",
)

# Files (globs relative to the repository root) whose content defines each step.
STEP_SOURCES: Final[dict[str, tuple[str, ...]]] = {
    "provision": ("sql/ddl/*.sql", "c360/steps/provision.py"),
    "customers": ("generators/*.py", "sql/load/*.sql", "c360/steps/customers.py"),
    "transactions": ("generators/*.py", "sql/generate/*", "sql/checks/*.sql", "c360/steps/transactions.py"),
    "dbt_build": ("dbt/**/*", "c360/transform/*.py", "c360/steps/dbt_build.py"),
    "churn_model": ("c360/ml/**/*.py", "sql/ml/**/*.sql", "c360/steps/churn_model.py"),
    "semantic_model": ("c360/assistant/**/*", "sql/semantic/**/*", "c360/steps/semantic_model.py"),
}


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
        unknown = [s for s in self.steps if s not in STEP_SOURCES]
        if unknown:
            raise ValueError(f"unknown lifecycle step(s) {unknown}: choose from {list(LIFECYCLE_STEPS)}")
        order = [LIFECYCLE_STEPS.index(s) for s in self.steps]
        if order != sorted(order):
            raise ValueError(f"lifecycle steps must keep the order {list(LIFECYCLE_STEPS)}")


def step_fingerprints(steps: Sequence[str], repo_root: Path) -> dict[str, str]:
    """{step: fingerprint}, each chained to the previous step's fingerprint."""
    fingerprints: dict[str, str] = {}
    previous = ""
    for step in steps:
        own = sources_digest(repo_root, STEP_SOURCES[step])
        previous = hashlib.sha256(f"{previous}|{step}|{own}".encode()).hexdigest()
        fingerprints[step] = previous
    return fingerprints


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
