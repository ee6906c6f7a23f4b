"""A change over a series (reading/series.py): each period of a grouped-by-time result compared with the one
before it (LAG over the time column, restarting in every other group). The window is read one period
earlier so the first period shown has its change too; that extra period is left out of the result."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final

from c360.assistant.query import Grain
from c360.assistant.timeframe import add_months

STEP: Final[dict[str, int]] = {"month": 1, "quarter": 3, "year": 12}


def shifted(start: date, grain: Grain, n: int = -1) -> date:
    """`start` moved by n periods of `grain`."""
    if grain in STEP:
        return add_months(start, n * STEP[grain])
    return start + timedelta(days=n * (7 if grain == "week" else 1))


def change_sql(
    grouped: str, time: str, others: Sequence[str], measures: Sequence[str], shown_from: bool
) -> str:
    """The series with `<measure>_change` and `<measure>_change_pct` from the period before; with `shown_from`,
    only the periods from a bound first day on (the extra earlier period gives the first one its change)."""
    over = f"OVER ({'PARTITION BY ' + ', '.join(others) + ' ' if others else ''}ORDER BY {time})"
    columns = []
    for m in measures:
        before = f"LAG({m}) {over}"
        columns += [
            f"{m} - {before} AS {m}_change",
            f"100.0 * ({m} - {before}) / NULLIF({before}, 0) AS {m}_change_pct",
        ]
    sql = f"SELECT *, {', '.join(columns)} FROM ({grouped}) AS series"
    return f"SELECT * FROM ({sql}) AS changes WHERE {time} >= ?" if shown_from else sql
