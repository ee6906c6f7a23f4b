"""Plotly figure builders: plain functions from DataFrames to figures (no Streamlit, no SQL)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import formatting as fmt
from c360 import names  # shipped beside the app in Snowflake (stdlib only)
from state_grid import COLUMNS, ROWS, TILE_POSITIONS

SEGMENT_COLORS = {
    "High-Value Travelers": "#1f77b4",
    "Stable Mid-Spenders": "#2ca02c",
    "Budget-Conscious": "#9467bd",
    "Declining": "#d62728",
    "New & Growing": "#ff7f0e",
}
RISK_COLORS = {
    "High Risk": "#d62728",
    "Medium Risk": "#ff7f0e",
    "Low Risk": "#2ca02c",
    "Lapsed": "#6f42c1",
    "Not Scored": "#9e9e9e",
}
GROUP_COLORS = {"treatment": "#1f77b4", "control": "#7f7f7f"}
POSITIVE, NEGATIVE, NEUTRAL = "#2ca02c", "#d62728", "#9e9e9e"
ACCENT = "#29b5e8"
MONEY_HOVER = "$%{y:,.0f}"
NO_DATA_TILE = "#eeeeee"
# Sequential map scales (ColorBrewer's 9-class Blues, Greens and Purples from their 4th/5th step up): the
# lightest colour stays clearly apart from the grey of states without customers, so the smallest selected
# state never looks unselected.
MAP_SCALES: dict[str, list[list[object]]] = {
    name: [[i / (len(colors) - 1), color] for i, color in enumerate(colors)]
    for name, colors in {
        "Blues": ["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
        "Greens": ["#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"],
        "Purples": ["#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"],
    }.items()
}


def _layout(fig: go.Figure, title: str | None = None, height: int = 360, **extra: object) -> go.Figure:
    # No named template: building one costs ~0.1 s per figure, and st.plotly_chart applies the app theme.
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.25, "x": 0},
        **extra,
    )
    return fig


def empty_figure(message: str, height: int = 240) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 14, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height=height)


def _colors_for(labels: Iterable[object], palette: dict[str, str]) -> list[str]:
    return [palette.get(str(label), NEUTRAL) for label in labels]


# ---- Segment Explorer --------------------------------------------------------------------------------


def segment_pie(frame: pd.DataFrame, title: str = "Customer segment distribution") -> go.Figure:
    """frame: customer_segment, customers."""
    if frame.empty:
        return empty_figure("No customers")
    fig = go.Figure(
        go.Pie(
            labels=frame["customer_segment"],
            values=frame["customers"],
            hole=0.45,
            marker={"colors": _colors_for(frame["customer_segment"], SEGMENT_COLORS)},
            sort=False,
            hovertemplate="%{label}<br>%{value:,} customers (%{percent})<extra></extra>",
        )
    )
    return _layout(fig, title)


def risk_bars(frame: pd.DataFrame, title: str = "Churn risk distribution") -> go.Figure:
    """frame: churn_risk_category, customers (ordered High, Medium, Low, Lapsed, Not Scored)."""
    if frame.empty:
        return empty_figure("No customers")
    order = {name: i for i, name in enumerate(names.RISK_DISPLAY_ORDER)}
    frame = frame.sort_values("churn_risk_category", key=lambda s: s.map(lambda v: order.get(v, 99)))
    fig = go.Figure(
        go.Bar(
            x=frame["churn_risk_category"],
            y=frame["customers"],
            marker={"color": _colors_for(frame["churn_risk_category"], RISK_COLORS)},
            text=[fmt.number(v) for v in frame["customers"]],
            textposition="auto",
            hovertemplate="%{x}: %{y:,} customers<extra></extra>",
        )
    )
    fig.update_yaxes(title="Customers")
    return _layout(fig, title)


def ltv_by_segment(frame: pd.DataFrame, title: str = "Total lifetime value by segment") -> go.Figure:
    """frame: customer_segment, total_ltv."""
    if frame.empty:
        return empty_figure("No customers")
    frame = frame.sort_values("total_ltv", ascending=False)
    fig = go.Figure(
        go.Bar(
            x=frame["customer_segment"],
            y=frame["total_ltv"],
            marker={"color": _colors_for(frame["customer_segment"], SEGMENT_COLORS)},
            text=[fmt.compact_money(v) for v in frame["total_ltv"]],
            textposition="auto",
            hovertemplate="%{x}<br>$%{y:,.0f}<extra></extra>",
        )
    )
    fig.update_yaxes(title="Lifetime value ($)", tickprefix="$")
    return _layout(fig, title)


def state_tile_map(
    frame: pd.DataFrame,
    value_column: str,
    title: str,
    value_label: str,
    formatter: fmt.Formatter = fmt.number,
    colorscale: str = "Blues",
    height: int = 420,
) -> go.Figure:
    """US tile-grid choropleth. frame: state (2-letter code), state_name (optional), <value_column>.

    States without a value are grey; every state with one gets a colour from `colorscale` (a MAP_SCALES name),
    whose lightest end is still clearly coloured."""
    values: dict[str, float] = {}
    names: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        code = str(getattr(row, "state", "")).upper()
        if code in TILE_POSITIONS:
            amount = fmt.as_float(getattr(row, value_column))
            if amount is not None:
                values[code] = amount
            names[code] = str(getattr(row, "state_name", code) or code)
    z = [[math.nan] * COLUMNS for _ in range(ROWS)]
    base = [[math.nan] * COLUMNS for _ in range(ROWS)]
    labels = [[""] * COLUMNS for _ in range(ROWS)]
    hover = [[""] * COLUMNS for _ in range(ROWS)]
    for code, (r, c) in TILE_POSITIONS.items():
        base[r][c] = 0.0
        labels[r][c] = code
        name = names.get(code, code)
        if code in values:
            z[r][c] = values[code]
            hover[r][c] = f"{name} ({code})<br>{value_label}: {formatter(values[code])}"
        else:
            hover[r][c] = f"{name} ({code})<br>no customers in this selection"
    low, high = (min(values.values()), max(values.values())) if values else (0.0, 1.0)
    fig = go.Figure()
    fig.add_trace(  # grey tiles for states without data, underneath
        go.Heatmap(
            z=base,
            colorscale=[[0, NO_DATA_TILE], [1, NO_DATA_TILE]],
            showscale=False,
            xgap=3,
            ygap=3,
            hoverinfo="text",
            text=hover,
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=z,
            colorscale=MAP_SCALES.get(colorscale, MAP_SCALES["Blues"]),
            xgap=3,
            ygap=3,
            text=labels,
            texttemplate="%{text}",
            textfont={"size": 11},
            hovertext=hover,
            hoverinfo="text",
            colorbar={"title": {"text": value_label}, "thickness": 12},
            zmin=low,
            zmax=high if high > low else low + 1,  # one value (or equal values): the scale's light end
        )
    )
    fig.update_xaxes(visible=False, range=[-0.5, COLUMNS - 0.5])
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", scaleratio=1)
    return _layout(fig, title, height=height)


# ---- Customer 360 ------------------------------------------------------------------------------------


def monthly_trend(frame: pd.DataFrame, title: str = "Monthly spend and month-over-month change") -> go.Figure:
    """frame: month (date), monthly_spend, mom_change_pct (None where no prior month), is_complete_month."""
    if frame.empty:
        return empty_figure("No monthly history")
    frame = frame.sort_values("month")
    complete = frame.get("is_complete_month", pd.Series([True] * len(frame), index=frame.index)).fillna(True)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06)
    fig.add_trace(
        go.Scatter(
            x=frame["month"],
            y=frame["monthly_spend"],
            mode="lines+markers",
            line={"color": "#1f77b4", "width": 2},
            marker={
                "size": 7,
                "color": ["#1f77b4" if c else "#ffffff" for c in complete],
                "line": {"color": "#1f77b4", "width": 2},
            },
            name="Monthly spend",
            hovertemplate="%{x|%b %Y}<br>$%{y:,.0f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    change = pd.to_numeric(frame["mom_change_pct"], errors="coerce")
    fig.add_trace(
        go.Bar(
            x=frame["month"],
            y=change,
            marker={"color": [NEUTRAL if pd.isna(v) else (POSITIVE if v >= 0 else NEGATIVE) for v in change]},
            name="MoM change",
            hovertemplate="%{x|%b %Y}<br>%{y:+.1f}%<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(title="Spend ($)", tickprefix="$", row=1, col=1)
    fig.update_yaxes(title="MoM %", ticksuffix="%", row=2, col=1)
    fig.update_layout(showlegend=False)
    return _layout(fig, title, height=440)


GROUP_PALETTE = {"Leisure": "#1f77b4", "Necessities": "#2ca02c", "Other": "#9e9e9e"}


def category_breakdown(frame: pd.DataFrame, title: str = "Spending by category") -> go.Figure:
    """frame: category_name, category_group, spend, share_pct (approved spend, largest first)."""
    if frame.empty or float(pd.to_numeric(frame["spend"]).sum()) <= 0:
        return empty_figure("No approved spend")
    groups = (
        frame["category_group"] if "category_group" in frame.columns else pd.Series(["Other"] * len(frame))
    )
    shares = frame["share_pct"] if "share_pct" in frame.columns else pd.Series([None] * len(frame))
    fig = go.Figure(
        go.Bar(
            y=frame["category_name"],
            x=frame["spend"],
            orientation="h",
            marker={"color": [GROUP_PALETTE.get(str(g), NEUTRAL) for g in groups]},
            text=[
                f"{fmt.compact_money(v)} · {fmt.pct(s, 0)}"
                for v, s in zip(frame["spend"], shares, strict=True)
            ],
            textposition="auto",
            customdata=list(groups),
            hovertemplate="%{y} (%{customdata})<br>$%{x:,.0f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Approved spend ($)", tickprefix="$")
    return _layout(fig, title, height=max(300, 28 * len(frame) + 90))


def daily_spend(frame: pd.DataFrame, title: str = "Daily spending (filtered transactions)") -> go.Figure:
    """frame: day, spend."""
    if frame.empty:
        return empty_figure("No transactions in this filter")
    fig = go.Figure(
        go.Scatter(
            x=frame["day"],
            y=frame["spend"],
            mode="lines",
            line={"color": "#1f77b4", "width": 2},
            hovertemplate="%{x|%Y-%m-%d}<br>$%{y:,.2f}<extra></extra>",
        )
    )
    fig.update_yaxes(title="Spend ($)", tickprefix="$")
    return _layout(fig, title, height=300)


def credit_limit_history(frame: pd.DataFrame, as_of: pd.Timestamp | None, title: str) -> go.Figure:
    """frame: valid_from, valid_to, card_type, credit_limit (one row per SCD2 version)."""
    if frame.empty:
        return empty_figure("No card history")
    frame = frame.sort_values("valid_from")
    end = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(frame["valid_from"].max())
    xs: list[object] = []
    ys: list[float] = []
    texts: list[str] = []
    columns = (frame[c] for c in ("valid_from", "valid_to", "card_type", "credit_limit"))
    for valid_from, valid_to, card_type, limit in zip(*columns, strict=True):
        stop = fmt.to_timestamp(valid_to)  # None: the open (current) version
        stop = end if stop is None or stop.year >= 9999 or stop > end else stop
        xs += [fmt.to_timestamp(valid_from), stop]
        ys += [float(limit), float(limit)]
        label = f"{card_type} · {fmt.money(limit)}"
        texts += [label, label]
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            line={"shape": "hv", "color": ACCENT, "width": 3},
            text=texts,
            hovertemplate="%{x|%Y-%m-%d}<br>%{text}<extra></extra>",
        )
    )
    fig.update_yaxes(title="Credit limit ($)", tickprefix="$", rangemode="tozero")
    return _layout(fig, title, height=260)


# ---- Campaign Performance ----------------------------------------------------------------------------


def campaign_trend(frame: pd.DataFrame, offer_month: pd.Timestamp | None, title: str) -> go.Figure:
    """frame: month, campaign_group, avg_spend (average spend per customer in the group that month)."""
    if frame.empty:
        return empty_figure("No campaign months")
    fig = go.Figure()
    for group, part in frame.sort_values("month").groupby("campaign_group", sort=False):
        fig.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["avg_spend"],
                mode="lines+markers",
                name=str(group).title(),
                line={"color": GROUP_COLORS.get(str(group), NEUTRAL), "width": 3},
                hovertemplate="%{x|%b %Y}<br>$%{y:,.0f} per customer<extra>" + str(group) + "</extra>",
            )
        )
    if offer_month is not None and not pd.isna(offer_month):
        fig.add_vline(x=pd.Timestamp(offer_month), line_dash="dash", line_color="#555")
        fig.add_annotation(
            x=pd.Timestamp(offer_month),
            y=1.02,
            yref="paper",
            text="offer sent",
            showarrow=False,
            yanchor="bottom",
        )
    fig.update_yaxes(title="Avg spend per customer ($)", tickprefix="$")
    return _layout(fig, title, height=380)


def group_comparison(frame: pd.DataFrame, title: str) -> go.Figure:
    """frame: campaign_group, period ('pre'|'post'), avg_spend."""
    if frame.empty:
        return empty_figure("No campaign data")
    fig = go.Figure()
    for period, color in (("pre", "#aec7e8"), ("post", "#1f77b4")):
        part = frame[frame["period"] == period]
        fig.add_trace(
            go.Bar(
                x=[str(g).title() for g in part["campaign_group"]],
                y=part["avg_spend"],
                name=f"{period}-offer",
                marker={"color": color},
                text=[fmt.money(v) for v in part["avg_spend"]],
                textposition="auto",
                hovertemplate="%{x}<br>$%{y:,.0f} per customer per month<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="Avg monthly spend per customer ($)", tickprefix="$")
    return _layout(fig, title, height=340)


def cost_breakdown_pie(frame: pd.DataFrame, title: str = "Campaign cost breakdown") -> go.Figure:
    """frame: component, cost."""
    if frame.empty or float(frame["cost"].sum()) <= 0:
        return empty_figure("No cost")
    fig = go.Figure(
        go.Pie(
            labels=frame["component"],
            values=frame["cost"],
            hole=0.45,
            marker={"colors": ["#1f77b4", "#aec7e8"]},
            hovertemplate="%{label}<br>$%{value:,.0f} (%{percent})<extra></extra>",
        )
    )
    return _layout(fig, title, height=320)


def sensitivity_curve(
    frame: pd.DataFrame,
    current_rate: float,
    breakeven_rate: float | None,
    title: str = "ROI vs retention lift",
) -> go.Figure:
    """frame: retention_rate_pct (points of the audience kept), roi_pct (None: nothing spent), net_benefit."""
    if frame["roi_pct"].isna().all():
        return empty_figure("ROI is undefined: the campaign costs nothing")
    fig = go.Figure(
        go.Scatter(
            x=frame["retention_rate_pct"],
            y=frame["roi_pct"],
            mode="lines+markers",
            line={"color": "#1f77b4", "width": 3},
            marker={"size": 8},
            customdata=frame[["net_benefit"]],
            hovertemplate="retention lift %{x:.2f}%<br>ROI %{y:,.1f}%<br>net $%{customdata[0]:,.0f}<extra></extra>",
            name="ROI",
        )
    )
    fig.add_hline(y=0, line_dash="dash", line_color="gray")
    fig.add_vline(x=current_rate, line_dash="dot", line_color=ACCENT)
    fig.add_annotation(
        x=current_rate, y=1.02, yref="paper", text="chosen lift", showarrow=False, yanchor="bottom"
    )
    if breakeven_rate is not None:
        fig.add_trace(
            go.Scatter(
                x=[breakeven_rate],
                y=[0],
                mode="markers",
                marker={"size": 12, "color": POSITIVE, "symbol": "diamond"},
                name="breakeven",
                hovertemplate="breakeven at a %{x:.2f}% retention lift<extra></extra>",
            )
        )
    fig.update_xaxes(title="Retention lift (% of the audience kept by the offer)", ticksuffix="%")
    fig.update_yaxes(title="ROI (%)", ticksuffix="%")
    return _layout(fig, title, height=360, hovermode="x")


# ---- Pipeline Health ---------------------------------------------------------------------------------


def layer_rows(
    frame: pd.DataFrame, layer_order: Sequence[str] = (), title: str = "Rows per layer (latest count)"
) -> go.Figure:
    """frame: layer, table_name, record_count; layers in `layer_order` (others after), largest table first."""
    if frame.empty:
        return empty_figure("No record counts yet")
    rank = {name: i for i, name in enumerate(layer_order)}
    frame = frame.assign(_rank=[rank.get(str(v).lower(), len(rank)) for v in frame["layer"]]).sort_values(
        ["_rank", "layer", "record_count"], ascending=[True, True, False]
    )
    fig = go.Figure(
        go.Bar(
            y=[str(row.table_name).split(".")[-1] for row in frame.itertuples()],
            x=frame["record_count"],
            orientation="h",
            marker={"color": ACCENT},
            customdata=list(frame["layer"]),
            hovertemplate="%{customdata} · %{y}: %{x:,} rows<extra></extra>",
        )
    )
    fig.update_xaxes(title="Rows (log scale)", type="log")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(260, 22 * len(frame) + 80))


def quarantine_reasons(frame: pd.DataFrame, title: str = "Quarantined rows by reason") -> go.Figure:
    """frame: reason, rows."""
    if frame.empty:
        return empty_figure("Nothing quarantined")
    fig = go.Figure(
        go.Bar(
            y=frame["reason"],
            x=frame["rows"],
            orientation="h",
            marker={"color": NEGATIVE},
            hovertemplate="%{y}: %{x:,} rows<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(220, 28 * len(frame) + 80))


def feature_importance(
    frame: pd.DataFrame, title: str = "What drives the churn score (top features)"
) -> go.Figure:
    """frame: feature, importance (largest first)."""
    if frame.empty:
        return empty_figure("No feature importance recorded")
    frame = frame.sort_values("importance", ascending=False).head(15)
    fig = go.Figure(
        go.Bar(
            y=frame["feature"],
            x=frame["importance"],
            orientation="h",
            marker={"color": ACCENT},
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Importance")
    return _layout(fig, title, height=max(260, 24 * len(frame) + 90))
