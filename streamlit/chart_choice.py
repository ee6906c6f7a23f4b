"""Pick a chart for an assistant result by what the rows mean: a map for one row per state, a line for a
trend over time, a pie only when a few parts make up a whole, bars for rankings and everything else."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

import charts
import formatting as fmt
from state_grid import is_state_code

TIME_NAMES = ("month", "date", "day", "week", "quarter", "period", "year_month")
ID_SUFFIXES = ("_id", "_key", "_code")
PIE_MAX_SLICES = 6
BAR_MAX_ROWS = 25
ROW_LEVEL_MAX = 25
MONEY_HINTS = ("value", "spend", "amount", "ltv", "revenue", "limit", "cost", "price", "total_spending")
SHARE_HINTS = ("count", "customers", "number", "total", "share", "spend", "value", "transactions")


@dataclass(frozen=True)
class ChartChoice:
    kind: str  # "map" | "line" | "pie" | "bar" | "metric" | "table"
    x: str | None = None
    y: str | None = None
    reason: str = ""


def _numeric_columns(frame: pd.DataFrame) -> list[str]:
    columns = []
    for column in frame.columns:
        if column.endswith(ID_SUFFIXES) or column in ("age_years",):
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
            return column
        if any(hint in column for hint in TIME_NAMES) and not pd.api.types.is_numeric_dtype(series):
            parsed = pd.to_datetime(series, errors="coerce")
            if parsed.notna().mean() > 0.9:
                return column
    return None


def _category_columns(frame: pd.DataFrame, numeric: list[str], time_column: str | None) -> list[str]:
    return [c for c in frame.columns if c not in numeric and c != time_column]


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


def choose_chart(frame: pd.DataFrame, sql: str | None = None) -> ChartChoice:
    """The chart for a result; `sql` (the statement that produced it) tells a ranking from a whole."""
    if frame.empty:
        return ChartChoice("table", reason="no rows")
    numeric = _numeric_columns(frame)
    if len(frame) == 1 and numeric:
        return ChartChoice("metric", y=numeric[0], reason="a single row: shown as figures")
    if not numeric:
        return ChartChoice("table", reason="no numeric column to plot")
    measure = numeric[0]
    if (
        "state" in frame.columns
        and frame["state"].map(is_state_code).mean() > 0.9
        and frame["state"].is_unique
    ):
        measure = next((c for c in numeric if c != "state"), measure)
        return ChartChoice("map", x="state", y=measure, reason="one row per US state")
    time_column = _time_column(frame)
    if time_column is not None:
        return ChartChoice("line", x=time_column, y=measure, reason=f"a trend over {time_column}")
    categories = _category_columns(frame, numeric, time_column)
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


def _palette(labels: pd.Series) -> list[str] | None:
    """Segment and risk labels keep their colours from the rest of the app."""
    known = {**charts.SEGMENT_COLORS, **charts.RISK_COLORS}
    return [known[v] for v in labels] if len(labels) and all(v in known for v in labels) else None


def column_formats(frame: pd.DataFrame) -> dict[str, tuple[str, str | None]]:
    """(readable header, number format) per column: 'avg_lifetime_value' -> ('Avg lifetime value', 'dollar')."""
    out: dict[str, tuple[str, str | None]] = {}
    for column in frame.columns:
        name = str(column)
        label = name.replace("_", " ").capitalize()
        if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(frame[column]):
            out[name] = (label, None)
        elif name.endswith("_pct") or "percent" in name or "rate" in name:
            out[name] = (label, "%.1f%%")
        elif _is_money(name):
            out[name] = (label, "dollar")
        elif name.endswith(("score", "_avg")) or name.startswith("avg_"):
            out[name] = (label, "%.1f")
        else:
            out[name] = (label, "localized")
    return out


def _is_money(column: str) -> bool:
    return any(hint in column for hint in MONEY_HINTS) and not column.endswith(("_pct", "_count"))


def _formatter(column: str):
    if column.endswith("_pct") or "percent" in column or "rate" in column:
        return fmt.pct
    if _is_money(column):
        return fmt.money
    return fmt.number


def build_chart(frame: pd.DataFrame, choice: ChartChoice) -> go.Figure | None:
    """The figure for a choice (None for table/metric choices)."""
    title = (choice.y or "").replace("_", " ")
    if choice.kind == "map" and choice.y:
        return charts.state_tile_map(frame, choice.y, f"{title} by state", title, _formatter(choice.y))
    if choice.kind == "line" and choice.x and choice.y:
        data = frame.assign(_x=pd.to_datetime(frame[choice.x], errors="coerce")).sort_values("_x")
        fig = go.Figure(
            go.Scatter(
                x=data["_x"], y=data[choice.y], mode="lines+markers", line={"color": "#1f77b4", "width": 2}
            )
        )
        fig.update_yaxes(title=title)
        return charts._layout(fig, f"{title} over {choice.x.replace('_', ' ')}")
    if choice.kind == "pie" and choice.x and choice.y:
        labels = frame[choice.x].astype(str)
        fig = go.Figure(
            go.Pie(
                labels=labels,
                values=frame[choice.y],
                hole=0.45,
                sort=False,
                marker={"colors": _palette(labels)},
            )
        )
        return charts._layout(fig, f"{title} by {choice.x.replace('_', ' ')}")
    if choice.kind == "bar" and choice.x and choice.y:
        data = frame.head(BAR_MAX_ROWS)
        fig = go.Figure(
            go.Bar(
                x=data[choice.x].astype(str),
                y=data[choice.y],
                marker={
                    "color": [
                        charts.SEGMENT_COLORS.get(str(v), charts.RISK_COLORS.get(str(v), "#1f77b4"))
                        for v in data[choice.x]
                    ]
                },
                text=[_formatter(choice.y)(v) for v in data[choice.y]],
                textposition="auto",
            )
        )
        fig.update_yaxes(title=title)
        suffix = f" (first {BAR_MAX_ROWS} rows)" if len(frame) > BAR_MAX_ROWS else ""
        return charts._layout(fig, f"{title} by {choice.x.replace('_', ' ')}{suffix}")
    return None


def metric_values(frame: pd.DataFrame, limit: int = 4) -> list[tuple[str, str]]:
    """(label, formatted value) for the first numeric columns of a one-row result."""
    if frame.empty:
        return []
    row = frame.iloc[0]
    out = []
    for column in frame.columns:
        value = row[column]
        if pd.api.types.is_number(value) and not isinstance(value, bool):
            out.append((column.replace("_", " ").capitalize(), _formatter(column)(value)))
        elif len(frame.columns) <= limit:
            out.append((column.replace("_", " ").capitalize(), fmt.text(value)))
        if len(out) >= limit:
            break
    return out
