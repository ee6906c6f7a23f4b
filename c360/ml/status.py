"""The churn model's `c360 status` section (and the app's Pipeline Health tab can reuse it)."""

from __future__ import annotations

import pandas as pd

from c360 import names
from c360.engines.base import WarehouseSession
from c360.sqlfiles import load_sql


def churn_training_runs(session: WarehouseSession) -> pd.DataFrame:
    """The latest training runs (nothing before the first `c360 up` / `c360 train` that reached the model)."""
    if not session.table_exists(names.OBSERVABILITY, "CHURN_TRAINING_RUNS"):
        return pd.DataFrame()
    return session.query(load_sql("status/churn_training_runs", session.dialect))
