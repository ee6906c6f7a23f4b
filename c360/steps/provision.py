"""Step 1: schemas, bronze and observability tables (idempotent DDL from sql/ddl)."""

from __future__ import annotations

from time import perf_counter

from c360 import names
from c360.engines.base import WarehouseSession
from c360.errors import WarehouseError
from c360.sqlfiles import load_sql
from c360.steps.context import StepContext, StepResult

DDL_FILES = ("ddl/schemas", "ddl/bronze", "ddl/observability", "ddl/streaming", "ddl/alerts", "ddl/gold")
LOCAL_UPGRADES = ("ddl/bronze_added_columns",)  # columns added since the first release (DuckDB only)


def provision_warehouse(session: WarehouseSession) -> None:
    for name in DDL_FILES:
        if name == "ddl/schemas" and session.dialect == "snowflake" and _schemas_exist(session):
            # Snowflake checks CREATE privileges even for `if not exists`; the Pulumi stack created the
            # database and schemas, and the deploy role (DATA_ENGINEER) may not create them.
            continue
        session.run_script(load_sql(name, session.dialect))
    if session.dialect != "snowflake":  # on Snowflake the Pulumi stack owns the bronze table definitions
        for name in LOCAL_UPGRADES:
            session.run_script(load_sql(name))


def _schemas_exist(session: WarehouseSession) -> bool:
    try:
        found = session.query(
            "select upper(schema_name) as schema_name from information_schema.schemata where catalog_name = ?",
            [names.DATABASE],
        )
    except WarehouseError:
        return False
    return set(names.SCHEMAS) <= set(found["schema_name"])


def run(ctx: StepContext) -> StepResult:
    began = perf_counter()
    provision_warehouse(ctx.session)
    return StepResult("provision", "ran", perf_counter() - began, details={"ddl": list(DDL_FILES)})
