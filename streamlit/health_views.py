"""Pipeline Health sections for alerts and the observability views (seed 004), used by tabs/pipeline_health.py.

Alerts come from OBSERVABILITY.ALERT_EVENTS (rules: c360/alerts/rules.py — the local evaluator and the
Snowflake ALERT objects write the same table); the views are V_LATEST_PIPELINE_RUNS, V_RECENT_DQ_FAILURES and
V_RECORD_COUNT_TRENDS, and MODEL_EXECUTION_LOG is dbt's per-node log. Pure helpers take DataFrames (tests
call them without Streamlit); the render functions take a `section(name)` loader that shows its own errors.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

import formatting as fmt
from compat import stretch

Section = Callable[[str], "pd.DataFrame | None"]
SEVERITY_ICONS = {"critical": "🔴", "warning": "🟠", "info": "🔵"}
RUNBOOK = "docs/runbooks/alerts.md"
NODE_PROBLEMS = ("error", "fail", "skipped", "warn")


def runbook_anchor(rule: str) -> str:
    return f"{RUNBOOK}#{rule}"


def alert_line(row: pd.Series) -> str:
    """One open alert as a sentence: severity, rule, the latest value against the threshold, since when."""
    value = row.get("last_value")
    if value is None or pd.isna(value):
        value = row.get("observed_value")
    shown = fmt.MISSING if value is None or pd.isna(value) else f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return (
        f"{SEVERITY_ICONS.get(str(row['severity']), '')} **{str(row['severity']).upper()}** "
        f"`{row['rule_name']}`: {shown} (threshold > {float(row['threshold']):g}) since "
        f"{fmt.text(row['fired_at'])} — runbook `{runbook_anchor(str(row['rule_name']))}`"
    )


def open_by_severity(alerts: pd.DataFrame) -> dict[str, int]:
    opened = alerts[alerts["state"] == "open"] if not alerts.empty else alerts
    return {s: int((opened["severity"] == s).sum()) if not opened.empty else 0 for s in SEVERITY_ICONS}


def node_problems(nodes: pd.DataFrame) -> pd.DataFrame:
    return nodes[nodes["status"].isin(NODE_PROBLEMS)] if not nodes.empty else nodes


def render_alerts(section: Section) -> None:
    alerts = section("health_alerts")
    if alerts is None:
        return
    st.markdown("##### 🚨 Alerts")
    counts = open_by_severity(alerts)
    m = st.columns(3)
    for column, (severity, label) in zip(
        m, (("critical", "Critical open"), ("warning", "Warnings open"), ("info", "Info open")), strict=True
    ):
        column.metric(label, fmt.number(counts[severity]))
    opened = alerts[alerts["state"] == "open"] if not alerts.empty else alerts
    if opened.empty:
        st.success("No open alerts: every rule is within its threshold.")
    for _, row in opened.iterrows():
        show = (
            st.error
            if row["severity"] == "critical"
            else st.warning
            if row["severity"] == "warning"
            else st.info
        )
        show(alert_line(row))
    resolved = alerts[alerts["state"] == "resolved"] if not alerts.empty else alerts
    if not resolved.empty:
        with st.expander(f"Resolved in the last 7 days ({len(resolved)})"):
            st.dataframe(
                resolved[["rule_name", "severity", "fired_at", "observed_value", "threshold", "resolved_at"]],
                hide_index=True,
                column_config={
                    "rule_name": st.column_config.TextColumn("Rule"),
                    "severity": st.column_config.TextColumn("Severity"),
                    "fired_at": st.column_config.DatetimeColumn("Fired", format="YYYY-MM-DD HH:mm"),
                    "observed_value": st.column_config.NumberColumn("Value", format="%.2f"),
                    "threshold": st.column_config.NumberColumn("Threshold", format="%g"),
                    "resolved_at": st.column_config.DatetimeColumn("Resolved", format="YYYY-MM-DD HH:mm"),
                },
                key="health.alerts_resolved",
                **stretch(),
            )


def render_observability_views(section: Section) -> None:
    latest = section("health_latest_runs")
    if latest is not None:
        st.markdown("##### 🧭 Latest run of each pipeline")
        if latest.empty:
            st.info("No runs recorded yet.")
        else:
            st.dataframe(
                latest,
                hide_index=True,
                column_config={
                    "run_type": st.column_config.TextColumn("Pipeline"),
                    "status": st.column_config.TextColumn("Status"),
                    "started_at": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD HH:mm:ss"),
                    "finished_at": st.column_config.DatetimeColumn("Finished", format="YYYY-MM-DD HH:mm:ss"),
                    "duration_seconds": st.column_config.NumberColumn("Seconds", format="%.1f"),
                    "error_message": st.column_config.TextColumn("Error"),
                },
                key="health.latest_runs",
                **stretch(),
            )
    nodes = section("health_model_log")
    if nodes is not None and not nodes.empty:
        problems = node_problems(nodes)
        st.markdown(f"##### 🧩 Latest dbt run, node by node ({len(nodes)} nodes)")
        if problems.empty:
            st.caption("Every node succeeded or passed; the slowest first.")
        else:
            st.error(f"{len(problems)} node(s) failed, were skipped or warned in the latest dbt run.")
        st.dataframe(
            nodes.head(25),
            hide_index=True,
            column_config={
                "node_name": st.column_config.TextColumn("Node"),
                "resource_type": st.column_config.TextColumn("Type"),
                "schema_name": st.column_config.TextColumn("Schema"),
                "status": st.column_config.TextColumn("Status"),
                "rows_affected": st.column_config.NumberColumn("Rows", format="%d"),
                "execution_seconds": st.column_config.NumberColumn("Seconds", format="%.2f"),
                "message": st.column_config.TextColumn("Message"),
            },
            key="health.model_log",
            **stretch(),
        )
    failures = section("health_dq_failures")
    if failures is not None:
        st.markdown("##### 🧪 Data-quality findings, last 7 days")
        if failures.empty:
            st.success("No data-quality check found anything in the last 7 days.")
        else:
            st.dataframe(failures, hide_index=True, key="health.dq_failures", **stretch())
    trends = section("health_record_trends")
    if trends is not None and not trends.empty:
        with st.expander("Record-count trends (last count of each day)"):
            wide = trends.pivot_table(
                index="count_date", columns="table_name", values="record_count", aggfunc="last"
            )
            st.line_chart(wide, height=260)
