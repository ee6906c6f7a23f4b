"""The chart for a result, by what its rows mean: a map for one row per state, a line for a trend over time,
a pie only when a few parts make up a whole, bars for rankings and everything else, figures for one row.

The one home of this choice: `c360 ask` (answer.chart_for) and the Streamlit app's assistant tab both call
`choose_chart`. It imports only pandas and the standard library, because Streamlit in Snowflake runs the app
without the c360 package: the stack uploads this module beside the app (components/app.py
APP_SHARED_MODULES). The caller names the state codes it can draw (the app: its tile map; c360: the
reference states).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

ChartKind = Literal["map", "line", "pie", "bar", "metric", "table"]

TIME_NAMES: Final = ("month", "date", "day", "week", "quarter", "period", "year_month")
ID_SUFFIXES: Final = ("_id", "_key", "_code")
PIE_MAX_SLICES: Final = 6
ROW_LEVEL_MAX: Final = 25
SHARE_HINTS: Final = ("count", "customers", "number", "total", "share", "spend", "value", "transactions")


@dataclass(frozen=True)
class ChartChoice:
    kind: ChartKind
    x: str | None = None
    y: str | None = None
    reason: str = ""


def choose_chart(frame: pd.DataFrame, sql: str | None = None, *, state_codes: Collection[str]) -> ChartChoice:
    """The chart for a result; `sql` (the statement that produced it) tells a ranking from a whole."""
    if frame.empty:
        return ChartChoice("table", reason="no rows")
    numeric = _numeric_columns(frame)
    if len(frame) == 1 and numeric:
        return ChartChoice("metric", y=numeric[0], reason="a single row: shown as figures")
    if not numeric:
        return ChartChoice("table", reason="no numeric column to plot")
    measure = numeric[0]
    if "state" in frame.columns and frame["state"].is_unique:
        codes = frame["state"].map(lambda v: isinstance(v, str) and v.upper() in state_codes)
        if codes.mean() > 0.9:
            measure = next((c for c in numeric if c != "state"), measure)
            return ChartChoice("map", x="state", y=measure, reason="one row per US state")
    time_column = _time_column(frame)
    if time_column is not None:
        return ChartChoice("line", x=time_column, y=measure, reason=f"a trend over {time_column}")
    categories = [c for c in frame.columns if c not in numeric and c != time_column]
    if "customer_id" in frame.columns and len(frame) > ROW_LEVEL_MAX:
        return ChartChoice("table", reason="row-level result: see the table")
    if not categories:
        return ChartChoice("table", reason="no label column to plot against")
    label = categories[0]
    values = pd.to_numeric(frame[measure], errors="coerce")
    additive = any(hint in measure for hint in SHARE_HINTS) and not measure.startswith(
        ("avg", "average", "mean")
    )
    if is_truncated(frame, sql):
        return ChartChoice("bar", x=label, y=measure, reason=f"a ranking: the top {len(frame)} by {measure}")
    if len(frame) <= PIE_MAX_SLICES and additive and (values.dropna() >= 0).all() and frame[label].is_unique:
        return ChartChoice("pie", x=label, y=measure, reason="a few parts that make up the whole")
    return ChartChoice("bar", x=label, y=measure, reason=f"{measure} by {label}")


def _numeric_columns(frame: pd.DataFrame) -> list[str]:
    columns = []
    for column in frame.columns:
        if str(column).endswith(ID_SUFFIXES) or column in ("age_years",):
            continue
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_numeric_dtype(series):
            columns.append(column)
    return columns


def _time_column(frame: pd.DataFrame) -> str | None:
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            return str(column)
        if any(hint in str(column) for hint in TIME_NAMES) and not pd.api.types.is_numeric_dtype(series):
            parsed = pd.to_datetime(series, errors="coerce")
            if parsed.notna().mean() > 0.9:
                return str(column)
    return None


_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_LIMIT = re.compile(r"\blimit\s+(\d+)\b|\bfetch\s+(?:first|next)\s+(\d+)\s+rows?\b", re.IGNORECASE)
_TOP = re.compile(r"^\s*select\s+(?:distinct\s+)?top\s+(\d+)\b", re.IGNORECASE)


def outer_limit(sql: str | None) -> int | None:
    """The row limit of the statement's outermost query (LIMIT n, FETCH FIRST n ROWS, SELECT TOP n), if any."""
    if not sql:
        return None
    text = _QUOTED.sub("''", _COMMENT.sub(" ", sql))
    depth, outer = 0, []
    for char in text:  # keep only the top level: subqueries and CTE bodies may limit their own rows
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            outer.append(char)
    top_level = "".join(outer)
    limits = [int(a or b) for a, b in _LIMIT.findall(top_level)]
    if limits:
        return limits[-1]
    # SELECT TOP n of the final SELECT (after any CTE list, which the paren scan has emptied)
    final_select = top_level[top_level.lower().rfind("select") :] if "select" in top_level.lower() else ""
    top = _TOP.match(final_select)
    return int(top.group(1)) if top else None


def is_truncated(frame: pd.DataFrame, sql: str | None) -> bool:
    """Whether the rows are the first n of a longer list (a 'top n'): a limit the result reached."""
    limit = outer_limit(sql)
    return limit is not None and len(frame) >= limit
