"""How the assistant tab draws an answer: the chart c360 chose for it (c360.assistant.chart_choice, the one
home of that choice), one-row results as figures, and readable column headers and number formats."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import pandas as pd
import plotly.graph_objects as go

import charts
import formatting as fmt
from state_grid import TILE_POSITIONS

if TYPE_CHECKING:
    from c360.assistant.chart_choice import ChartChoice

BAR_MAX_ROWS: Final = 25
MONEY_HINTS: Final = (
    "value",
    "spend",
    "amount",
    "ltv",
    "revenue",
    "limit",
    "cost",
    "price",
    "total_spending",
)


def choose_chart(frame: pd.DataFrame, sql: str | None = None) -> ChartChoice:
    """c360's chart for the result, among the states the tile map can draw."""
    from c360.assistant.chart_choice import choose_chart as choose  # shipped beside the app in Snowflake

    return choose(frame, sql, state_codes=TILE_POSITIONS)


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


def _formatter(column: str) -> fmt.Formatter:
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
