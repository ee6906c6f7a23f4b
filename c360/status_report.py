"""Sections of `c360 status` (and the app's Pipeline Health tab): name -> query over the warehouse."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from c360.config import Settings, Target
from c360.engines.base import WarehouseSession
from c360.landing.queue import LocalNotificationQueue
from c360.landing.status import QueueStatus, pipe_health, quarantine_by_reason, queue_status, recent_loads
from c360.ml.status import churn_training_runs
from c360.values import as_int


def table_rows(session: WarehouseSession) -> pd.DataFrame:
    tables = session.query(
        "select table_schema, table_name from information_schema.tables "
        "where upper(table_schema) in ('BRONZE', 'SILVER', 'GOLD', 'OBSERVABILITY') and table_type = 'BASE TABLE' "
        "order by 1, 2"
    )
    counts = []
    for row in tables.itertuples():
        schema, table = str(row.table_schema), str(row.table_name)
        n = session.scalar(f'select count(*) from "{schema}"."{table}"')
        counts.append({"schema": schema.upper(), "table": table.upper(), "rows": as_int(n or 0)})
    return pd.DataFrame(counts, columns=["schema", "table", "rows"])


def recent_runs(session: WarehouseSession) -> pd.DataFrame:
    return session.query(
        "select run_id, run_type, status, started_at, round(duration_seconds, 1) as seconds, rows_affected, "
        "error_message from OBSERVABILITY.PIPELINE_RUN_METADATA order by started_at desc limit 10"
    )


STATUS_SECTIONS: dict[str, Callable[[WarehouseSession], pd.DataFrame]] = {
    "tables": table_rows,
    "recent runs": recent_runs,
    "pipe": pipe_health,
    "quarantine by reason": quarantine_by_reason,
    "recent file loads": recent_loads,
    "churn model training": churn_training_runs,
}


def ingest_queue(settings: Settings) -> QueueStatus | None:
    """The local pipe's queue (files waiting, in flight, failed); None on Snowflake (Snowpipe's own queue)
    or before anything was ever queued."""
    if settings.target is not Target.local or not settings.queue_dir.is_dir():
        return None
    return queue_status(LocalNotificationQueue(settings.queue_dir))
