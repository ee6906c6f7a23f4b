"""The page header and the sidebar: data source, as-of date, persona switch, refresh."""

from __future__ import annotations

import streamlit as st

import formatting as fmt
import queries
from app_context import ROLE_KEY, ROLE_LABELS, AppContext
from app_types import AppDataError
from compat import stretch


def render_header() -> None:
    st.title("📊 Customer 360 Analytics")
    st.caption(
        "Post-acquisition credit-card customer intelligence: segments, churn risk, campaigns and data health."
    )


def render_sidebar(ctx: AppContext) -> None:
    with st.sidebar:
        st.header("Customer 360")
        if len(ctx.backend.roles) > 1:
            st.selectbox(
                "Viewing as",
                ctx.backend.roles,
                key=ROLE_KEY,
                format_func=lambda role: ROLE_LABELS.get(role, role),
                help="The persona's grants decide what the app may read: marketing managers read the gold "
                "tables only; data analysts also read pipeline observability.",
            )
        else:
            st.markdown(f"**Role:** {ctx.role}")
        st.divider()
        st.subheader("Platform")
        st.caption(ctx.backend.describe())
        try:
            summary = queries.platform_summary(ctx)
        except AppDataError as exc:
            st.warning(str(exc))
            return
        if summary.customers == 0:
            st.warning("No customer profiles yet: the gold layer has not been built.")
            return
        st.metric("Customers", fmt.number(summary.customers))
        st.markdown(f"**Data as of:** {fmt.day(summary.as_of)}")
        if summary.profile_updated_at is not None:
            st.markdown(f"**Profiles built:** {summary.profile_updated_at:%Y-%m-%d %H:%M}")
        scored = summary.scored_customers
        st.markdown(
            f"**Churn scores:** {fmt.number(scored)} of {fmt.number(summary.customers)} customers"
            if scored
            else "**Churn scores:** not scored yet"
        )
        st.divider()
        if st.button(
            "🔄 Refresh data",
            key="app.refresh",
            help="Check for newly loaded data: if the platform loaded some, every view re-reads it",
            **stretch(),
        ):
            ctx.refresh()  # a new data version: results of the old one are no longer used, nothing is cleared
            st.rerun()
