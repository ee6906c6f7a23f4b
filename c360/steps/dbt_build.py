"""Step 4: build silver and gold with dbt (seeds, snapshot, models, tests), idempotently.

Skipped when the dbt project, the as-of date, the target and bronze are unchanged since the last build
and gold exists; an incremental `dbt build` when only bronze rows arrived or customers changed (the
snapshot records card changes as new dim_customer versions); a full refresh when gold is missing, the
project or the as-of date changed, bronze history was regenerated, or `--force`.
The step releases the run's DuckDB writer session while dbt runs (one writer per file) and reopens it.
Card history: a dbt snapshot records at most one new version per customer per run, so when customers
have several card versions the snapshot has not seen (the first build: every change of the history), the
step replays them first, one `dbt build` of stg_customer_card_versions + customers_snapshot per version
rank (dbt var customer_card_version); the build then records every customer's latest state. A full
refresh drops the snapshot and replays it from bronze, where every version is kept with its effective time.
Locally, streamed files that were loaded without a gold refresh (`c360 ingest --no-refresh`) are stamped
as in gold (LOAD_HISTORY.gold_refreshed_at) once the build has taken them in.
"""

from __future__ import annotations

import logging
from datetime import datetime
from time import perf_counter

import pandas as pd

from c360 import names
from c360.config import Target
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.sqlfiles import load_sql
from c360.steps.context import StepContext, StepResult
from c360.transform.build_state import (
    STEP,
    BuildMode,
    current_state,
    decide,
    gold_exists,
    save_state,
    stored_state,
)
from c360.transform.dbt import build, dbt_vars, run_dbt, shared_runner
from c360.values import as_int

log = logging.getLogger(__name__)

SNAPSHOT_SCHEMA, SNAPSHOT_TABLE = names.SILVER, "CUSTOMERS_SNAPSHOT"
CARD_VERSION_VAR = "customer_card_version"
REPLAY_ARGS = ("build", "--select", "stg_customer_card_versions", "customers_snapshot")


def run(ctx: StepContext) -> StepResult:
    began = perf_counter()
    state = current_state(ctx.session, ctx.settings)
    mode = decide(stored_state(ctx.session), state, gold_exists(ctx.session), ctx.force)
    if mode is BuildMode.skip:
        ctx.progress(STEP, 1, 1, "project and bronze unchanged, skipped")
        return StepResult(STEP, "skipped", perf_counter() - began, 0, {"mode": mode.value})

    ctx.progress(STEP, 0, 1, f"dbt build ({mode.value.replace('_', ' ')})")

    def progress(done: float, total: float, message: str) -> None:
        ctx.progress(STEP, done, total, message)

    build_started = datetime.now()
    if mode is BuildMode.full_refresh:
        ctx.session.execute(f"drop table if exists {SNAPSHOT_SCHEMA}.{SNAPSHOT_TABLE}")
    replay = replay_ranks(ctx.session)
    # The run's in-process dbt for the replay passes and the build (and the churn step after it): one dbt
    # import and project parse per `c360 up`; a var change does not re-parse.
    runner = shared_runner(ctx)
    with ctx.warehouse_released():
        try:
            for rank in replay:
                ctx.progress(STEP, 0, 1, f"card history: snapshot pass {rank} of {replay[-1]}")
                run_dbt(
                    ctx.settings,
                    REPLAY_ARGS,
                    vars=dbt_vars(ctx.settings, {CARD_VERSION_VAR: rank}),
                    runner=runner,
                ).raise_for_status()
            result = build(
                ctx.settings, full_refresh=mode is BuildMode.full_refresh, progress=progress, runner=runner
            )
        finally:
            runner.release_database()
    try:
        result.raise_for_status()
    except C360Error:
        log.error("dbt build failed; see %s", result.log_path)
        raise
    save_state(ctx.session, state)
    if ctx.settings.target is Target.local:  # streamed files loaded without a refresh are in gold now
        ctx.session.execute(
            load_sql("pipe/stamp_gold_refresh"), [datetime.now(), build_started, names.STREAMING_PREFIX]
        )
    fact_rows = as_int(ctx.session.scalar(f"select count(*) from {names.GOLD}.fct_transactions") or 0)
    ctx.progress(
        STEP,
        1,
        1,
        f"{result.models_run} models, {result.tests_passed} tests passed in {result.dbt_elapsed or 0:.1f} s",
    )
    return StepResult(
        STEP,
        "ran",
        perf_counter() - began,
        fact_rows,
        {
            "mode": mode.value,
            "run_id": result.run_id,
            "card_history_passes": len(replay),
            **result.summary(),
            "slowest_nodes": [
                {"node": n.name, "type": n.resource_type, "seconds": round(n.seconds, 2)}
                for n in sorted(result.nodes, key=lambda n: n.seconds, reverse=True)[:5]
            ],
        },
    )


def replay_ranks(session: WarehouseSession) -> list[int]:
    """Card-version ranks to snapshot before the build (empty when no customer has two pending versions)."""
    if session.table_exists(SNAPSHOT_SCHEMA, SNAPSHOT_TABLE):
        frame = session.query(load_sql("dbt/customer_card_versions_pending"))
    else:
        frame = session.query(load_sql("dbt/customer_card_deliveries"))
    first, last = frame.iloc[0]["first_rank"], frame.iloc[0]["last_rank"]
    if pd.isna(first) or pd.isna(last):  # no customer has two pending versions
        return []
    return list(range(int(first), int(last)))
