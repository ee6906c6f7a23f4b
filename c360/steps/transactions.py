"""Step 3: generate 18 months of transactions inside the warehouse (GENERATOR on Snowflake, range() locally)."""

from __future__ import annotations

import hashlib
from time import perf_counter

from c360 import names
from c360.observability import (
    LoadRecord,
    new_run_id,
    now,
    record_counts,
    record_load,
    save_step_fingerprint,
    step_fingerprint,
)
from c360.steps.context import StepContext, StepResult
from c360.values import as_int
from generators.transaction_sql import (
    GENERATOR_SOURCE_PREFIX,
    ingestion_time,
    render_transactions_sql,
    source_file,
)

STEP = "transactions"
TABLE = f"{names.BRONZE}.{names.BRONZE_TRANSACTIONS}"


def run(ctx: StepContext) -> StepResult:
    began = perf_counter()
    scale = ctx.settings.scale
    sql = render_transactions_sql(
        ctx.session.dialect, seed=scale.seed, as_of=scale.as_of, months=scale.months
    )
    customers_fp = step_fingerprint(ctx.session, "customers") or ""
    fingerprint = hashlib.sha256((sql + customers_fp).encode()).hexdigest()
    existing = as_int(
        ctx.session.scalar(
            f"select count(*) from {TABLE} where source_file like ?", [f"{GENERATOR_SOURCE_PREFIX}:%"]
        )
        or 0
    )
    if not ctx.force and existing and step_fingerprint(ctx.session, STEP) == fingerprint:
        ctx.progress(STEP, 1, 1, "unchanged, skipped")
        return StepResult(STEP, "skipped", perf_counter() - began, existing, {"fingerprint": fingerprint})

    ctx.progress(
        STEP, 0, 1, f"generating ~{scale.customers * 15 * scale.months:,} transactions in the warehouse"
    )
    with ctx.session.transaction():
        ctx.session.execute(f"delete from {TABLE} where source_file like ?", [f"{GENERATOR_SOURCE_PREFIX}:%"])
        ctx.session.execute(sql, [ingestion_time()])
        source = source_file_for(ctx)
        rows = as_int(
            ctx.session.scalar(f"select count(*) from {TABLE} where source_file = ?", [source]) or 0
        )
        record_load(
            ctx.session,
            LoadRecord(
                new_run_id("load"),
                ctx.run_id,
                source,
                fingerprint[:16],
                TABLE,
                "LOADED",
                rows,
                rows,
                0,
                None,
                now(),
            ),
        )
        record_counts(ctx.session, ctx.run_id, "bronze", {TABLE: rows})
        save_step_fingerprint(ctx.session, STEP, fingerprint, {"rows": rows})
    ctx.progress(STEP, 1, 1, f"{rows:,} rows")
    return StepResult(STEP, "ran", perf_counter() - began, rows, {"fingerprint": fingerprint})


def source_file_for(ctx: StepContext) -> str:
    from generators.spec import DEFAULT_SPEC

    return source_file(DEFAULT_SPEC, ctx.settings.scale.seed)
