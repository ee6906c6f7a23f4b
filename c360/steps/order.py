"""The one list of lifecycle steps, in `c360 up` order; `c360 up` runs it and the Pulumi stack declares it.

Import-light on purpose (the stack program reads it): a step's module (`c360.steps.<name>`, exposing
`run`) is imported only when the step runs, so commands that never train (sql, status, ask, ...) do not
pay for scikit-learn or dbt at start-up. What defines a step for the stack's fingerprints is its code
(derived from the imports of its module: components/step_sources.py) plus the non-Python files named
here in `data` (globs relative to the repository root).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from c360.steps.context import StepContext, StepResult


@dataclass(frozen=True)
class Step:
    name: str
    description: str
    data: tuple[str, ...] = ()  # non-Python inputs: SQL folders, the dbt project, templates
    local_only: bool = False  # does work only on the local target (the stack does not declare it)

    @property
    def module(self) -> str:
        return f"c360.steps.{self.name}"

    @property
    def run(self) -> Callable[[StepContext], StepResult]:
        run: Callable[[StepContext], StepResult] = importlib.import_module(self.module).run  # by name
        return run


STEPS: tuple[Step, ...] = (
    Step("provision", "schemas, bronze and observability tables", data=("sql/ddl/*.sql",)),
    Step("customers", "generate cardholders, land CSV, COPY into bronze", data=("sql/load/*.sql",)),
    Step(
        "transactions",
        "generate 18 months of transactions in the warehouse",
        data=("sql/generate/*", "sql/checks/*.sql"),
    ),
    Step(
        "dbt_build",
        "dbt build: silver, snapshot, gold star schema and marts, tests",
        data=("dbt/**/*", "sql/dbt/*.sql"),
    ),
    Step(
        "churn_model",
        "churn datasets (dbt models/ml), train or re-use the champion, score, refresh the profile",
        data=("sql/ml/**/*.sql",),
    ),
    Step(
        "semantic_model",
        "validate the semantic model on gold, deploy it, load assistant logs",
        data=("sql/semantic/**/*",),
    ),
    Step(
        "maintenance",
        "publish to readers; compact small files, expire versions no reader needs (local)",
        local_only=True,
    ),
)

STEP_BY_NAME: dict[str, Step] = {s.name: s for s in STEPS}
# The steps the Pulumi stack declares, one LifecycleStep resource each (components/lifecycle.py).
STACK_STEPS: tuple[str, ...] = tuple(s.name for s in STEPS if not s.local_only)
