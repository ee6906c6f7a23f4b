"""Pipe status as DataFrames: `c360 status` sections and the app's Pipeline Health tab use the same functions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from c360.engines.base import WarehouseSession
from c360.sqlfiles import load_sql


def _hour_ago() -> datetime:
    return datetime.now() - timedelta(hours=1)


def pipe_health(session: WarehouseSession) -> pd.DataFrame:
    """Files and rows (last hour / all time), avg and p95 landing -> gold latency, failures."""
    since = _hour_ago()
    return session.query(load_sql("status/pipe_health", session.dialect), [since, since])


def quarantine_by_reason(session: WarehouseSession) -> pd.DataFrame:
    """Quarantined rows per reason code (all time and last hour) with an example reason."""
    return session.query(load_sql("status/quarantine_by_reason", session.dialect), [_hour_ago()])


def recent_loads(session: WarehouseSession) -> pd.DataFrame:
    """The ten most recent streaming files with status, counts and latencies."""
    return session.query(load_sql("status/recent_loads", session.dialect))
