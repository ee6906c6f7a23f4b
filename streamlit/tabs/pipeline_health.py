"""Pipeline Health: recent runs, rows per layer, data-quality checks, quarantine, the pipe, the churn model."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import charts
import formatting as fmt
import health_views
import queries
from app_context import AppContext
from app_types import AppDataError
from compat import static_table, stretch
from ui_messages import show_data_error

TITLE = "🩺 Pipeline Health"
STATUS_ICONS = {"SUCCESS": "✅", "FAILED": "❌", "STARTED": "⏳", "RUNNING": "⏳"}
LAYER_ORDER = ("bronze", "silver", "gold")  # the data's path; any other layer follows, by name
RUNS_SHOWN = 15
ERROR_CHARS = 300  # the table shows the start of a long error; the latest failure is shown in full above it


def render(ctx: AppContext) -> None:
    st.subheader(TITLE)
    st.caption(
        "Is the data fresh and trustworthy? Runs, volumes, quality checks, ingestion and the churn model."
    )
    if ctx.can_read("OBSERVABILITY") is False:
        st.warning(hidden_reason(ctx))
    else:
        _observability(ctx)
    st.divider()
    _model_metrics(ctx)


def hidden_reason(ctx: AppContext) -> str:
    """Why runs, loads and quality checks are not shown to this role, and where to see them instead."""
    if ctx.backend_name == "snowflake":
        return (
            f"🔒 In Snowflake this app runs with its owner's rights ({ctx.role}: the GOLD schema only), so "
            "pipeline runs, loads and data-quality checks, which live in the OBSERVABILITY schema, are not "
            "shown here. A data role (DATA_ENGINEER or DATA_ANALYST) sees them in Snowsight: "
            "CUSTOMER_ANALYTICS.OBSERVABILITY. The churn model below is in GOLD."
        )
    return (
        f"🔒 Your role ({ctx.role}) cannot read pipeline health: it lives in the OBSERVABILITY schema, which only "
        "data roles may read. Choose **Data analyst** under *Viewing as* in the sidebar to see it."
    )


def _section(ctx: AppContext, name: str) -> pd.DataFrame | None:
    try:
        return queries.health(ctx, name)
    except AppDataError as exc:
        show_data_error(exc)
        return None


def _observability(ctx: AppContext) -> None:
    health_views.render_alerts(lambda name: _section(ctx, name))
    runs = _section(ctx, "health_runs")
    if runs is None:
        return
    _runs(runs)
    counts = _section(ctx, "health_layer_counts")
    if counts is not None:
        _layers(counts)
    quality = _section(ctx, "health_quality")
    if quality is not None:
        _quality(quality)
    pipe = _section(ctx, "health_pipe")
    loads = _section(ctx, "health_recent_loads")
    quarantine = _section(ctx, "health_quarantine")
    if pipe is not None and loads is not None:
        _pipe(pipe, loads)
    if quarantine is not None:
        _quarantine(quarantine)
    health_views.render_observability_views(lambda name: _section(ctx, name))


def _runs(runs: pd.DataFrame) -> None:
    st.markdown("##### 🏃 Pipeline runs")
    if runs.empty:
        st.info("No pipeline runs recorded yet.")
        return
    last = runs.iloc[0]
    finished = runs[runs["status"].isin(["SUCCESS", "FAILED"])]
    last_success = runs[runs["status"] == "SUCCESS"]
    m = st.columns(4)
    m[0].metric(
        "Last run",
        f"{STATUS_ICONS.get(str(last['status']), '')} {fmt.text(last['status'])}",
        help=f"{fmt.text(last['run_type'])} started {fmt.text(last['started_at'])}",
    )
    m[1].metric(
        "Last success",
        fmt.text(pd.Timestamp(last_success.iloc[0]["finished_at"]).strftime("%b %d, %H:%M"))
        if not last_success.empty and pd.notna(last_success.iloc[0]["finished_at"])
        else fmt.MISSING,
    )
    failed = int((runs["status"] == "FAILED").sum())
    m[2].metric(f"Failed (last {len(runs)} runs)", fmt.number(failed), delta=None)
    m[3].metric(
        "Median duration",
        f"{finished['duration_seconds'].median():,.1f} s" if not finished.empty else fmt.MISSING,
    )
    if failed:
        latest_failure = runs[runs["status"] == "FAILED"].iloc[0]
        st.error(
            f"Latest failure: {fmt.text(latest_failure['run_type'])} at {fmt.text(latest_failure['started_at'])}: "
            f"{fmt.text(latest_failure['error_message'])}"
        )
    static_table(runs_view(runs.head(RUNS_SHOWN)))
    if len(runs) > RUNS_SHOWN:
        st.caption(f"The latest {RUNS_SHOWN} of {len(runs)} runs.")


def runs_view(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs as display text: every cell readable, a dash (never "None") where a value is missing."""
    return pd.DataFrame(
        {
            "Status": [f"{STATUS_ICONS.get(str(s), '')} {fmt.text(s)}".strip() for s in runs["status"]],
            "Type": [fmt.text(v) for v in runs["run_type"]],
            "Started": [fmt.timestamp(v) for v in runs["started_at"]],
            "Finished": [fmt.timestamp(v) for v in runs["finished_at"]],
            "Seconds": [fmt.number(v, 1) for v in runs["duration_seconds"]],
            "Rows": [fmt.number(v) for v in runs["rows_affected"]],
            "Models": [fmt.number(v) for v in runs["models_run"]],
            "Failed models": [fmt.number(v) for v in runs["models_failed"]],
            "Error": [fmt.text(fmt.clip(v, ERROR_CHARS)) for v in runs["error_message"]],
            "Run": [fmt.text(v) for v in runs["run_id"]],
        }
    )


def layer_totals(counts: pd.DataFrame) -> list[tuple[str, int]]:
    """(layer, rows) in the data's order: Bronze, Silver, Gold, then any other layer."""
    totals = counts.groupby("layer")["record_count"].sum()
    order = {name: i for i, name in enumerate(LAYER_ORDER)}
    layers = sorted(totals.index, key=lambda layer: (order.get(str(layer).lower(), len(order)), str(layer)))
    return [(str(layer).title(), int(totals[layer])) for layer in layers]


def _layers(counts: pd.DataFrame) -> None:
    st.markdown("##### 🧱 Rows per layer")
    if counts.empty:
        st.info("No record counts yet.")
        return
    totals = layer_totals(counts)
    for column, (layer, total) in zip(st.columns(max(4, len(totals))), totals, strict=False):
        column.metric(
            layer, fmt.number(total), help=f"{layer}: {total:,} rows over its tables (latest count)"
        )
    with st.expander(f"Rows per table ({len(counts)} tables, latest count)"):
        st.plotly_chart(charts.layer_rows(counts, LAYER_ORDER), key="health.layers", **stretch())


def quality_status(records_failed: object, failure_rate: object) -> str:
    failed = fmt.as_float(records_failed) or 0.0
    if failed == 0:
        return "✅ pass"
    rate = fmt.as_float(failure_rate)
    return "❌ fail" if rate is not None and rate >= 0.01 else "⚠️ warn"


def _quality(quality: pd.DataFrame) -> None:
    st.markdown("##### 🔎 Data-quality checks")
    if quality.empty:
        st.info("No data-quality checks recorded yet.")
        return
    view = quality.assign(
        result=[
            quality_status(f, r)
            for f, r in zip(quality["records_failed"], quality["failure_rate"], strict=True)
        ]
    )
    passed = int((view["result"] == "✅ pass").sum())
    st.metric("Checks passing", f"{passed} of {len(view)}")
    static_table(quality_view(view))


def quality_view(view: pd.DataFrame) -> pd.DataFrame:
    """The data-quality checks as display text (full numbers, a dash where a value is missing)."""
    return pd.DataFrame(
        {
            "Result": list(view["result"]),
            "Layer": [fmt.text(v).title() for v in view["layer"]],
            "Table": [fmt.text(v) for v in view["table_name"]],
            "Check": [fmt.text(v) for v in view["check_type"]],
            "Checked": [fmt.number(v) for v in view["records_checked"]],
            "Failed": [fmt.number(v) for v in view["records_failed"]],
            "Failure rate": [fmt.number(v, 4) for v in view["failure_rate"]],
            "Details": [fmt.text(fmt.clip(v, ERROR_CHARS)) for v in view["failure_details"]],
            "Checked at": [fmt.timestamp(v) for v in view["checked_at"]],
        }
    )


def _pipe(pipe: pd.DataFrame, loads: pd.DataFrame) -> None:
    st.markdown("##### 🚰 Streaming pipe")
    row = pipe.iloc[0] if not pipe.empty else None
    files = int(fmt.as_float(row.get("files")) or 0) if row is not None else 0
    duplicates = int(fmt.as_float(row.get("duplicate_deliveries")) or 0) if row is not None else 0
    if row is None or (files == 0 and duplicates == 0):
        st.info("No streaming files loaded yet (`c360 stream` lands hourly batches through the pipe).")
        return
    m = st.columns(6)
    m[0].metric("Files loaded", fmt.number(row["files"]))
    m[1].metric("Rows loaded", fmt.number(row["rows_loaded"]))
    m[2].metric("Rows quarantined", fmt.number(row["rows_quarantined"]))
    m[3].metric(
        "Duplicate deliveries", fmt.number(row["duplicate_deliveries"]), help="Skipped: loaded exactly once"
    )
    m[4].metric(
        "Landing → bronze (avg)",
        _seconds(row["avg_landing_to_bronze_s"]),
        help=f"p95 {_seconds(row['p95_landing_to_bronze_s'])}",
    )
    m[5].metric(
        "Landing → gold (avg)",
        _seconds(row["avg_landing_to_gold_s"]),
        help=f"p95 {_seconds(row['p95_landing_to_gold_s'])}",
    )
    failed = int(fmt.as_float(row.get("failed_files")) or 0)
    if failed:
        st.error(f"{failed} file(s) failed to load; see the recent loads below.")
    st.caption(
        f"Last load {fmt.text(row['last_load_at'])} · last gold refresh {fmt.text(row['last_gold_refresh_at'])}"
    )
    static_table(loads_view(loads))


def loads_view(loads: pd.DataFrame) -> pd.DataFrame:
    """The recent file loads as display text (a dash where a value is missing)."""
    return pd.DataFrame(
        {
            "File": [fmt.text(v) for v in loads["file_name"]],
            "Status": [fmt.text(v) for v in loads["status"]],
            "Rows in file": [fmt.number(v) for v in loads["rows_in_file"]],
            "Loaded": [fmt.number(v) for v in loads["rows_loaded"]],
            "Quarantined": [fmt.number(v) for v in loads["rows_quarantined"]],
            "Landed": [fmt.timestamp(v) for v in loads["landed_at"]],
            "Loaded at": [fmt.timestamp(v) for v in loads["loaded_at"]],
            "→ bronze (s)": [fmt.number(v, 2) for v in loads["landing_to_bronze_s"]],
            "→ gold (s)": [fmt.number(v, 2) for v in loads["landing_to_gold_s"]],
            "First error": [fmt.text(fmt.clip(v, ERROR_CHARS)) for v in loads["first_error"]],
        }
    )


def _seconds(value: object) -> str:
    amount = fmt.as_float(value)
    return fmt.MISSING if amount is None else f"{amount:,.1f} s"


def _quarantine(quarantine: pd.DataFrame) -> None:
    st.markdown("##### 🚧 Quarantine")
    if (
        quarantine.empty
        or int(quarantine["rows_quarantined"].sum() + quarantine["file_level_findings"].sum()) == 0
    ):
        st.success("Nothing quarantined: every delivered row was loaded.")
        return
    c1, c2 = st.columns([1, 1])
    with c1:
        st.plotly_chart(
            charts.quarantine_reasons(
                quarantine.rename(columns={"reason_code": "reason", "rows_quarantined": "rows"})
            ),
            key="health.quarantine_chart",
            **stretch(),
        )
    with c2:
        st.dataframe(
            quarantine,
            hide_index=True,
            column_config={
                "reason_code": st.column_config.TextColumn("Reason"),
                "rows_quarantined": st.column_config.NumberColumn("Rows", format="%d"),
                "file_level_findings": st.column_config.NumberColumn("File-level", format="%d"),
                "files": st.column_config.NumberColumn("Files", format="%d"),
                "last_seen_at": st.column_config.DatetimeColumn("Last seen", format="YYYY-MM-DD HH:mm"),
                "example_reason": st.column_config.TextColumn("Example"),
            },
            key="health.quarantine_table",
            **stretch(),
        )


def _model_metrics(ctx: AppContext) -> None:
    st.markdown("##### 🧠 Churn model")
    try:
        metrics = queries.health(ctx, "churn_model_metrics")
    except AppDataError as exc:
        if exc.kind == "not_built":
            st.info("No churn model has been trained yet: scores appear after the churn-model step runs.")
        else:
            show_data_error(exc)
        return
    champions = metrics[metrics["is_champion"].fillna(False).astype(bool)] if not metrics.empty else metrics
    if champions.empty:
        st.info("No churn model has been trained yet: scores appear after the churn-model step runs.")
        return
    best = champions.iloc[0]
    st.caption(
        f"Champion {fmt.text(best['model_version'])} ({fmt.text(best['trainer'])}), evaluated "
        f"{fmt.text(best['evaluated_at'])} on the temporal hold-out at {fmt.day(best['validation_cutoff'])} "
        f"({fmt.number(best['validation_rows'])} customers, churn base rate "
        f"{fmt.pct(100 * (fmt.as_float(best['validation_base_rate']) or 0))}); trained on "
        f"{fmt.number(best['train_rows'])} rows from cutoffs {fmt.text(best['train_cutoffs'])}."
    )
    m = st.columns(6)
    m[0].metric(
        "ROC AUC",
        fmt.number(best["roc_auc"], 3),
        delta=_versus(best["roc_auc"], best["heuristic_roc_auc"]),
        help="vs the rule-based heuristic on the same hold-out",
    )
    m[1].metric("PR AUC", fmt.number(best["pr_auc"], 3))
    m[2].metric(
        "F1",
        fmt.number(best["f1_score"], 3),
        delta=_versus(best["f1_score"], best["heuristic_f1"]),
        help="vs the rule-based heuristic on the same hold-out",
    )
    m[3].metric("Precision", fmt.number(best["precision_score"], 3))
    m[4].metric("Recall", fmt.number(best["recall_score"], 3))
    m[5].metric("Threshold", fmt.number(best["threshold"], 2))
    c1, c2 = st.columns([1, 2])
    with c1:
        st.caption("Confusion matrix on the hold-out")
        st.dataframe(
            pd.DataFrame(
                {
                    "": ["actual churn", "actual stay"],
                    "predicted churn": [best["true_positives"], best["false_positives"]],
                    "predicted stay": [best["false_negatives"], best["true_negatives"]],
                }
            ),
            hide_index=True,
            key="health.confusion",
            **stretch(),
        )
    with c2:
        try:
            importance = queries.health(ctx, "churn_feature_importance")
        except AppDataError as exc:
            show_data_error(exc)
            importance = pd.DataFrame()
        if not importance.empty:
            st.plotly_chart(charts.feature_importance(importance), key="health.importance", **stretch())
    if ctx.can_read("OBSERVABILITY") is not False:
        try:
            runs = queries.health(ctx, "churn_training_runs")
        except AppDataError as exc:
            show_data_error(exc)
            return
        if not runs.empty:
            st.caption("Training runs (champion / challenger decisions)")
            static_table(text_view(runs))


def text_view(frame: pd.DataFrame) -> pd.DataFrame:
    """Any small table as display text: readable headers, numbers with separators, a dash for missing values."""
    out = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            values = [fmt.timestamp(v) for v in series]
        elif pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            values = [fmt.text(fmt.clip(v, ERROR_CHARS)) for v in series]
        elif pd.api.types.is_integer_dtype(series):
            values = [fmt.number(v) for v in series]
        else:
            values = [fmt.number(v, 3) for v in series]
        out[str(column).replace("_", " ").capitalize()] = values
    return pd.DataFrame(out)


def _versus(value: object, baseline: object) -> str | None:
    model, rule = fmt.as_float(value), fmt.as_float(baseline)
    if model is None or rule is None:
        return None
    return f"{model - rule:+.3f} vs heuristic"
