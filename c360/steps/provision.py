"""Step 1: schemas, bronze and observability tables (idempotent DDL from sql/ddl)."""

from __future__ import annotations

from time import perf_counter

from c360.engines.base import WarehouseSession
from c360.sqlfiles import load_sql
from c360.steps.context import StepContext, StepResult

DDL_FILES = ("ddl/schemas", "ddl/bronze", "ddl/observability", "ddl/streaming", "ddl/gold")


def provision_warehouse(session: WarehouseSession) -> None:
    for name in DDL_FILES:
        session.run_script(load_sql(name, session.dialect))


def run(ctx: StepContext) -> StepResult:
    began = perf_counter()
    provision_warehouse(ctx.session)
    return StepResult("provision", "ran", perf_counter() - began, details={"ddl": list(DDL_FILES)})
