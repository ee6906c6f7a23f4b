"""Segment Explorer: filter the portfolio, see who matches and where, export the list."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import charts
import exports
import filter_state
import formatting as fmt
import queries
from app_context import AppContext
from compat import download_button, stretch
from navigation import request_tab
from tabs.customer_360 import TITLE as CUSTOMER_360
from tabs.customer_360 import clear_search

TITLE = "🎯 Segment Explorer"
APPLIED_KEY = "segments.applied"  # the SegmentFilters the results show
APPLY_LABEL = "Apply filters"
FILTER_LABELS = {
    "segments": "segment",
    "states": "state",
    "risks": "churn risk",
    "cards": "card type",
    "min_ltv": "min lifetime value",
    "monthly_spend_from": "monthly spend",
    "monthly_spend_to": "monthly spend",
    "min_travel_dining_monthly": "travel & dining spend",
}
MAP_METRICS: dict[str, tuple[str, str, fmt.Formatter, str]] = {  # column, label, formatter, colour scale
    "Customers": ("customers", "Customers", fmt.number, "Blues"),
    "Total lifetime value": ("total_ltv", "Total LTV", fmt.compact_money, "Greens"),
    "Average lifetime value": ("avg_ltv", "Avg LTV", fmt.money, "Purples"),
}
LIST_COLUMNS = {
    "customer_id": st.column_config.TextColumn("Customer ID"),
    "full_name": st.column_config.TextColumn("Name"),
    "email": st.column_config.TextColumn("Email"),
    "state": st.column_config.TextColumn("State"),
    "city": st.column_config.TextColumn("City"),
    "customer_segment": st.column_config.TextColumn("Segment"),
    "card_type": st.column_config.TextColumn("Card"),
    "lifetime_value": st.column_config.NumberColumn("Lifetime value", format="dollar"),
    "avg_transaction_value": st.column_config.NumberColumn("Avg transaction", format="dollar"),
    "avg_monthly_spend": st.column_config.NumberColumn("Avg monthly spend", format="dollar"),
    "spend_change_pct": st.column_config.NumberColumn("90-day change", format="%.1f%%"),
    "churn_risk_category": st.column_config.TextColumn("Churn risk"),
    "churn_risk_score": st.column_config.NumberColumn("Risk score", format="%.1f"),
    "days_since_last_transaction": st.column_config.NumberColumn("Days since last txn", format="%d"),
}


def _widget_values(filters: queries.SegmentFilters, top: float) -> dict[str, object]:
    """The filter widgets' values that stand for `filters` (the neutral default: everything)."""
    return {
        "segments.segments": list(filters.segments),
        "segments.states": list(filters.states),
        "segments.risks": list(filters.risks),
        "segments.cards": list(filters.cards),
        "segments.min_ltv": float(filters.min_ltv),
        "segments.spend_range": (
            float(filters.monthly_spend_from or 0.0),
            float(min(filters.monthly_spend_to, top) if filters.monthly_spend_to is not None else top),
        ),
        "segments.min_travel_dining": float(filters.min_travel_dining_monthly),
    }


def _init_state(options: queries.FilterOptions) -> None:
    """Widgets start from the applied filters (kept while the tab was closed), else from the neutral default."""
    top = _spend_ceiling(options)
    applied = filter_state.last_applied(APPLIED_KEY) or queries.SegmentFilters()
    for key, value in {**_widget_values(applied, top), "segments.map_metric": "Customers"}.items():
        if key not in st.session_state:
            st.session_state[key] = value
    if st.session_state["segments.spend_range"][1] > top:
        st.session_state["segments.spend_range"] = (0.0, top)


def _reset_filters(top: float) -> None:
    """Back to the neutral default (every customer), applied at once."""
    st.session_state.update(_widget_values(queries.SegmentFilters(), top))
    st.session_state[APPLIED_KEY] = queries.SegmentFilters()


def _spend_ceiling(options: queries.FilterOptions) -> float:
    return float(max(1_000, math.ceil(options.max_avg_monthly_spend / 1_000.0) * 1_000))


def _filters(options: queries.FilterOptions) -> queries.SegmentFilters:
    low, high = st.session_state["segments.spend_range"]
    top = _spend_ceiling(options)
    return queries.SegmentFilters(
        segments=tuple(st.session_state["segments.segments"]),
        states=tuple(st.session_state["segments.states"]),
        risks=tuple(st.session_state["segments.risks"]),
        cards=tuple(st.session_state["segments.cards"]),
        min_ltv=float(st.session_state["segments.min_ltv"] or 0),
        monthly_spend_from=float(low) if low > 0 else None,
        monthly_spend_to=float(high) if high < top else None,
        min_travel_dining_monthly=float(st.session_state["segments.min_travel_dining"] or 0),
    )


def _win_back_preset() -> None:
    """Callback: every lapsed customer, whatever the segment, state or card."""
    st.session_state["segments.risks"] = ["Lapsed"]
    st.session_state["segments.segments"] = []
    st.session_state["segments.states"] = []
    st.session_state["segments.cards"] = []


def _filter_panel(options: queries.FilterOptions) -> bool:
    """The filter widgets and the Apply button; True when Apply was pressed in this run."""
    state_names = dict(options.states)
    with st.container(border=True):
        c1, c2, c3, c4 = st.columns(4)
        c1.multiselect(
            "Customer segment", options.segments, key="segments.segments", placeholder="All segments"
        )
        c2.multiselect(
            "State",
            [code for code, _ in options.states],
            key="segments.states",
            format_func=lambda code: f"{code} · {state_names.get(code, code)}",
            placeholder="All states",
        )
        c3.multiselect("Churn risk", options.risks, key="segments.risks", placeholder="All risk levels")
        c4.multiselect("Card type", options.cards, key="segments.cards", placeholder="All card types")
        with st.expander("Advanced filters"):
            a1, a2, a3 = st.columns(3)
            a1.number_input(
                "Min lifetime value ($)", min_value=0.0, step=1_000.0, format="%.0f", key="segments.min_ltv"
            )
            a2.slider(
                "Avg monthly spend, last 90 days ($)",
                min_value=0.0,
                max_value=_spend_ceiling(options),
                step=250.0,
                key="segments.spend_range",
            )
            a3.number_input(
                "Min travel & dining spend per month ($)",
                min_value=0.0,
                step=500.0,
                format="%.0f",
                key="segments.min_travel_dining",
                help="Approved spend on travel (Airlines, Hotels, Travel, Car Rental) and Dining over the last 90 days, per month.",
            )
        st.caption(
            "An empty selection means *all*. Time windows end at the platform's as-of date. "
            f"Changes take effect when you press **{APPLY_LABEL}**."
        )
        b1, b2, _ = st.columns([1, 1, 4])
        clicked = b1.button(APPLY_LABEL, type="primary", key="segments.apply", **stretch())
        b2.button(
            "Reset filters",
            key="segments.reset",
            on_click=_reset_filters,
            args=(_spend_ceiling(options),),
            help="Every customer: no filter at all",
            **stretch(),
        )
    return clicked


def render(ctx: AppContext) -> None:
    st.subheader(TITLE)
    st.caption("Identify and export customer segments for targeted marketing campaigns.")
    summary_facts = queries.platform_summary(ctx)
    if summary_facts.customers == 0:
        st.info("No customer profiles yet: build the platform (`c360 up`), then refresh.")
        return
    options = queries.filter_options(ctx)
    _init_state(options)
    win_back = False
    if "Lapsed" in options.risks:
        win_back = st.button(
            "💤 Win-back audience: lapsed customers",
            key="segments.win_back",
            on_click=_win_back_preset,
            help="Lapsed = no approved transaction for 60+ days: already gone, so no risk band. Sets and applies "
            "the filters for every lapsed customer; export the list for a win-back offer.",
        )
    apply_now = _filter_panel(options) or win_back
    current = _filters(options)
    filters = filter_state.applied(APPLIED_KEY, current, apply_now=apply_now)
    if current != filters:
        filter_state.show_pending(filter_state.changed_fields(current, filters, FILTER_LABELS), APPLY_LABEL)

    with st.spinner("Loading customer data..."):
        summary = queries.summarize_breakdown(queries.segment_breakdown(ctx, filters))
    if summary.customers == 0:
        st.warning("No customers match the selected filters. Widen or clear some filters and apply again.")
        return

    st.markdown("##### 📈 Summary")
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric("Customers", fmt.number(summary.customers))
    m2.metric("Total LTV", fmt.compact_money(summary.total_ltv), help=fmt.money(summary.total_ltv))
    m3.metric("Avg LTV", fmt.money(summary.avg_ltv))
    m4.metric("Avg monthly spend", fmt.money(summary.avg_monthly_spend), help="Last 90 days / 3")
    m5.metric(
        "Avg churn risk",
        fmt.pct(summary.avg_churn_score),
        help=f"Mean churn risk score of the {fmt.number(summary.scored_customers)} scored customers",
    )

    st.markdown("##### 📊 Segment analysis")
    c1, c2, c3 = st.columns(3)
    with c1:
        st.plotly_chart(charts.segment_pie(summary.by_segment), key="segments.pie", **stretch())
    with c2:
        st.plotly_chart(charts.risk_bars(summary.by_risk), key="segments.risk", **stretch())
    with c3:
        st.plotly_chart(charts.ltv_by_segment(summary.by_segment), key="segments.ltv", **stretch())

    st.markdown("##### 🗺️ Where they live")
    choice = st.radio("Map shows", list(MAP_METRICS), horizontal=True, key="segments.map_metric")
    column, label, formatter, scale = MAP_METRICS[choice]
    left, right = st.columns([3, 1])
    with left:
        st.plotly_chart(
            charts.state_tile_map(summary.by_state, column, f"{choice} by state", label, formatter, scale),
            key="segments.map",
            **stretch(),
        )
    with right:
        top = summary.by_state.sort_values(column, ascending=False).head(10)
        st.caption(f"Top states by {choice.lower()}")
        st.dataframe(
            top[["state", "state_name", column]],
            hide_index=True,
            column_config={
                "state": st.column_config.TextColumn("State"),
                "state_name": st.column_config.TextColumn("Name"),
                column: st.column_config.NumberColumn(
                    label, format="dollar" if column != "customers" else "%d"
                ),
            },
            key="segments.top_states",
            **stretch(),
        )

    customers = queries.segment_customers(ctx, filters)
    version = f"{abs(hash(filters)) % 10**8}"
    _customer_list(customers, summary.customers, table_key=f"segments.table.{version}")
    _export(ctx, filters, summary.customers, version)


def _customer_list(customers: pd.DataFrame, matching: int, table_key: str) -> None:
    st.markdown("##### 👥 Customer list")
    shown = len(customers)
    if matching > shown:
        st.caption(
            f"The {fmt.number(shown)} most valuable of {fmt.number(matching)} matching customers are listed "
            "here; the export below has all of them."
        )
    else:
        st.caption(
            f"All {fmt.number(shown)} matching customers, most valuable first. Select a row to open it in Customer 360."
        )
    event = st.dataframe(
        customers,
        hide_index=True,
        height=400,
        column_config=LIST_COLUMNS,
        column_order=[c for c in LIST_COLUMNS if c in customers.columns],
        key=table_key,  # a new key per filter set, so a stale row selection never picks another customer
        on_select="rerun",
        selection_mode="single-row",
        **stretch(),
    )
    rows = _selected_rows(event)
    if rows and rows[0] < len(customers):
        picked = customers.iloc[rows[0]]
        picked_id = str(picked["customer_id"])
        if st.session_state.get("segments.last_pick") != picked_id:  # a new pick replaces any search
            st.session_state["segments.last_pick"] = picked_id
            clear_search()
            st.session_state["customer.selected_id"] = picked_id
            request_tab(CUSTOMER_360)
            st.rerun()  # the whole app: the Customer 360 tab opens on the picked customer
        st.info(f"**{picked['full_name']}** ({picked['customer_id']}) is open in the {CUSTOMER_360} tab.")


def _export(ctx: AppContext, filters: queries.SegmentFilters, matching: int, version: str) -> None:
    st.markdown("##### 📥 Export segment")
    st.caption(
        f"**{fmt.number(matching)} customers** match the applied filters; the CSV has every one of them, most "
        "valuable first, with raw values (no currency formatting) for CRM and ad-platform audiences. It is "
        "written when you click."
    )
    download_button(
        f"Download all {fmt.number(matching)} customers (CSV)",
        lambda: exports.csv_file(queries.segment_export(ctx, filters)),
        file_name=exports.export_name("customer_segment"),
        type="primary",
        key="segments.download",
        version=version,
    )


def _selected_rows(event: object) -> list[int]:
    selection = getattr(event, "selection", None)
    if selection is None and isinstance(event, dict):
        selection = event.get("selection")
    rows = getattr(selection, "rows", None)
    if rows is None and isinstance(selection, dict):
        rows = selection.get("rows")
    return list(rows or [])
