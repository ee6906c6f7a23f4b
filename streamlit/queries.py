"""The app's data questions as plain functions: filters in, DataFrames out.

Each function runs one named SQL file through the context (`ctx.query(name, params)`), so the same code
serves Streamlit in Snowflake, the local snapshot and the tests. Filter values are always bound; lists
travel as one '|a|b|' string matched with POSITION, so every statement has a fixed shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

import pandas as pd

CUSTOMER_LIST_LIMIT = 5_000
SEARCH_LIMIT = 20
TRANSACTION_LIMIT = 20_000
TARGET_LIST_LIMIT = 60_000
SEARCH_MODES = ("id", "name", "email")
CUSTOMER_ID = re.compile(r"^CUST\d{8}$", re.IGNORECASE)


class QueryContext(Protocol):
    def query(self, name: str, params: Sequence[object] = (), max_rows: int = ...) -> pd.DataFrame: ...


def pipe_list(values: Iterable[str] | None) -> str:
    """['A', 'B'] -> '|A|B|' (bound as one parameter); empty -> '' (no filter)."""
    cleaned = [str(v) for v in (values or []) if str(v)]
    if any("|" in v for v in cleaned):
        raise ValueError("filter values cannot contain '|'")
    return "|" + "|".join(cleaned) + "|" if cleaned else ""


# ---- platform ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformSummary:
    customers: int
    as_of: date | None
    profile_updated_at: datetime | None
    scored_customers: int


def platform_summary(ctx: QueryContext) -> PlatformSummary:
    frame = ctx.query("platform_summary")
    row = frame.iloc[0] if not frame.empty else None
    if row is None or int(row["customers"] or 0) == 0:
        return PlatformSummary(0, None, None, 0)
    as_of = pd.Timestamp(row["as_of_date"]).date() if pd.notna(row["as_of_date"]) else None
    updated = (
        pd.Timestamp(row["profile_updated_at"]).to_pydatetime()
        if pd.notna(row["profile_updated_at"])
        else None
    )
    return PlatformSummary(int(row["customers"]), as_of, updated, int(row["scored_customers"] or 0))


@dataclass(frozen=True)
class FilterOptions:
    segments: tuple[str, ...]
    states: tuple[tuple[str, str], ...]  # (code, name)
    risks: tuple[str, ...]
    cards: tuple[str, ...]
    max_avg_monthly_spend: float
    max_lifetime_value: float


SEGMENT_ORDER = (
    "High-Value Travelers",
    "Stable Mid-Spenders",
    "Budget-Conscious",
    "Declining",
    "New & Growing",
)
RISK_ORDER = ("High Risk", "Medium Risk", "Low Risk", "Not Scored")


def _ordered(values: Iterable[str], order: Sequence[str]) -> tuple[str, ...]:
    rank = {name: i for i, name in enumerate(order)}
    return tuple(sorted(values, key=lambda v: (rank.get(v, len(order)), v)))


def filter_options(ctx: QueryContext) -> FilterOptions:
    options = ctx.query("filter_options")
    ranges = ctx.query("filter_ranges")
    options = options[options["value"].notna()]

    def values(kind: str) -> list[str]:
        return [str(v) for v in options.loc[options["kind"] == kind, "value"]]

    states = options[options["kind"] == "state"]
    row = ranges.iloc[0] if not ranges.empty else pd.Series(dtype=float)
    return FilterOptions(
        segments=_ordered(values("segment"), SEGMENT_ORDER),
        states=tuple((str(r.value), str(r.label or r.value)) for r in states.itertuples()),
        risks=_ordered(values("risk"), RISK_ORDER),
        cards=tuple(sorted(values("card"))),
        max_avg_monthly_spend=float(row.get("max_avg_monthly_spend") or 0.0),
        max_lifetime_value=float(row.get("max_lifetime_value") or 0.0),
    )


# ---- Segment Explorer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentFilters:
    segments: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    risks: tuple[str, ...] = ()
    cards: tuple[str, ...] = ()
    min_ltv: float = 0.0
    monthly_spend_from: float | None = None
    monthly_spend_to: float | None = None
    min_travel_dining_monthly: float = 0.0


def segment_filter_params(filters: SegmentFilters) -> list[object]:
    """Bound parameters of segment_customers.sql / segment_breakdown.sql, in their order."""
    segments, states = pipe_list(filters.segments), pipe_list(filters.states)
    risks, cards = pipe_list(filters.risks), pipe_list(filters.cards)
    return [
        segments,
        segments,
        states,
        states,
        risks,
        risks,
        cards,
        cards,
        float(filters.min_ltv or 0.0),
        filters.monthly_spend_from,
        filters.monthly_spend_from,
        filters.monthly_spend_to,
        filters.monthly_spend_to,
        float(filters.min_travel_dining_monthly or 0.0),
    ]


def segment_customers(ctx: QueryContext, filters: SegmentFilters) -> pd.DataFrame:
    return ctx.query("segment_customers", segment_filter_params(filters), max_rows=CUSTOMER_LIST_LIMIT)


def segment_breakdown(ctx: QueryContext, filters: SegmentFilters) -> pd.DataFrame:
    return ctx.query("segment_breakdown", segment_filter_params(filters), max_rows=50_000)


@dataclass(frozen=True)
class SegmentSummary:
    customers: int
    total_ltv: float
    avg_ltv: float | None
    avg_churn_score: float | None
    avg_monthly_spend: float | None
    scored_customers: int
    by_segment: pd.DataFrame = field(repr=False)  # customer_segment, customers, total_ltv
    by_risk: pd.DataFrame = field(repr=False)  # churn_risk_category, customers
    by_state: pd.DataFrame = field(repr=False)  # state, state_name, customers, total_ltv, avg_ltv


def summarize_breakdown(breakdown: pd.DataFrame) -> SegmentSummary:
    """Roll the segment x risk x state breakdown up into the tab's metrics and chart frames."""
    frame = breakdown.copy()
    for column in (
        "customers",
        "total_ltv",
        "total_avg_monthly_spend",
        "churn_score_sum",
        "scored_customers",
    ):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0)
    customers = int(frame["customers"].sum())
    total_ltv = float(frame["total_ltv"].sum())
    scored = int(frame["scored_customers"].sum())
    by_segment = (
        frame.groupby("customer_segment", as_index=False)[["customers", "total_ltv"]].sum()
        if customers
        else pd.DataFrame(columns=["customer_segment", "customers", "total_ltv"])
    )
    if not by_segment.empty:
        by_segment = by_segment.sort_values(
            "customer_segment",
            key=lambda s: s.map(lambda v: SEGMENT_ORDER.index(v) if v in SEGMENT_ORDER else 99),
        ).reset_index(drop=True)
    by_risk = (
        frame.groupby("churn_risk_category", as_index=False)["customers"].sum()
        if customers
        else pd.DataFrame(columns=["churn_risk_category", "customers"])
    )
    by_state = (
        frame.groupby("state", as_index=False).agg(
            state_name=("state_name", "first"), customers=("customers", "sum"), total_ltv=("total_ltv", "sum")
        )
        if customers
        else pd.DataFrame(columns=["state", "state_name", "customers", "total_ltv"])
    )
    if not by_state.empty:
        by_state["avg_ltv"] = by_state["total_ltv"] / by_state["customers"]
    return SegmentSummary(
        customers=customers,
        total_ltv=total_ltv,
        avg_ltv=total_ltv / customers if customers else None,
        avg_churn_score=float(frame["churn_score_sum"].sum()) / scored if scored else None,
        avg_monthly_spend=float(frame["total_avg_monthly_spend"].sum()) / customers if customers else None,
        scored_customers=scored,
        by_segment=by_segment,
        by_risk=by_risk,
        by_state=by_state,
    )


# ---- Customer 360 --------------------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    """A case-insensitive 'contains' LIKE pattern with % and _ escaped (escape character '!')."""
    escaped = text.strip().lower().replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def normalize_customer_query(mode: str, text: str) -> str:
    """Digits typed in id mode mean the numeric part: '12345' -> 'CUST00012345'."""
    text = (text or "").strip()
    if mode == "id" and text.isdigit() and len(text) <= 8:
        return f"CUST{int(text):08d}"
    return text


def search_customers(ctx: QueryContext, mode: str, text: str) -> pd.DataFrame:
    if mode not in SEARCH_MODES:
        raise ValueError(f"unknown search mode {mode!r}: choose {', '.join(SEARCH_MODES)}")
    pattern = like_pattern(normalize_customer_query(mode, text))
    params = [mode, pattern, mode, pattern, mode, pattern]
    return ctx.query("customer_search", params, max_rows=SEARCH_LIMIT)


def customer_profile(ctx: QueryContext, customer_id: str) -> pd.Series | None:
    frame = ctx.query("customer_profile", [customer_id], max_rows=1)
    return None if frame.empty else frame.iloc[0]


def customer_monthly(ctx: QueryContext, customer_id: str) -> pd.DataFrame:
    frame = ctx.query("customer_monthly", [customer_id], max_rows=1_000)
    if not frame.empty:
        frame["month"] = pd.to_datetime(frame["month"])
    return frame


def customer_transactions(ctx: QueryContext, customer_id: str) -> pd.DataFrame:
    frame = ctx.query("customer_transactions", [customer_id], max_rows=TRANSACTION_LIMIT)
    if not frame.empty:
        frame["transaction_date"] = pd.to_datetime(frame["transaction_date"])
        frame["transaction_amount"] = pd.to_numeric(frame["transaction_amount"], errors="coerce")
    return frame


def customer_card_history(ctx: QueryContext, customer_id: str) -> pd.DataFrame:
    return ctx.query("customer_card_history", [customer_id], max_rows=1_000)


PERIODS: dict[str, int | None] = {
    "Last 30 days": 30,
    "Last 90 days": 90,
    "Last 6 months": 182,
    "Last 12 months": 365,
    "All time": None,
}


def filter_transactions(
    frame: pd.DataFrame,
    as_of: date | None,
    period: str = "All time",
    categories: Sequence[str] = (),
    statuses: Sequence[str] = (),
    channels: Sequence[str] = (),
) -> pd.DataFrame:
    """Transactions of the last `period` days before the as-of date (never the wall clock), as the gold
    windows count them ([as_of - days, ...)), and of the chosen categories, statuses and channels.

    'All time' applies no date filter at all (so no out-of-range timestamp is ever built).
    """
    if frame.empty:
        return frame
    mask = pd.Series(True, index=frame.index)
    days = PERIODS.get(period)
    if days is not None and as_of is not None:
        dates = pd.to_datetime(frame["transaction_date"])
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        mask &= dates >= pd.Timestamp(as_of) - pd.Timedelta(days=days)
    if categories:
        mask &= frame["category_name"].isin(categories)
    if statuses:
        mask &= frame["status"].isin(statuses)
    if channels:
        mask &= frame["channel"].isin(channels)
    return frame[mask]


@dataclass(frozen=True)
class TransactionSummary:
    transactions: int
    approved: int
    approved_spend: float
    avg_approved: float | None
    approval_rate_pct: float | None  # None when there is nothing to rate


def summarize_transactions(frame: pd.DataFrame) -> TransactionSummary:
    if frame.empty:
        return TransactionSummary(0, 0, 0.0, None, None)
    approved = frame[frame["status"] == "approved"]
    spend = float(approved["transaction_amount"].sum())
    return TransactionSummary(
        transactions=len(frame),
        approved=len(approved),
        approved_spend=spend,
        avg_approved=spend / len(approved) if len(approved) else None,
        approval_rate_pct=100.0 * len(approved) / len(frame),
    )


def category_spend(frame: pd.DataFrame) -> pd.DataFrame:
    """Approved spend per category, largest first, with its share."""
    approved = frame[frame["status"] == "approved"] if not frame.empty else frame
    if approved.empty:
        return pd.DataFrame(columns=["category_name", "category_group", "spend", "transactions", "share_pct"])
    out = (
        approved.groupby(["category_name", "category_group"], as_index=False)
        .agg(spend=("transaction_amount", "sum"), transactions=("transaction_id", "count"))
        .sort_values("spend", ascending=False)
        .reset_index(drop=True)
    )
    total = float(out["spend"].sum())
    out["share_pct"] = 100.0 * out["spend"] / total if total else 0.0
    return out


def daily_spend(frame: pd.DataFrame) -> pd.DataFrame:
    approved = frame[frame["status"] == "approved"] if not frame.empty else frame
    if approved.empty:
        return pd.DataFrame(columns=["day", "spend"])
    days = pd.to_datetime(approved["transaction_date"]).dt.floor("D")
    return approved.groupby(days)["transaction_amount"].sum().rename("spend").rename_axis("day").reset_index()


# ---- Campaign Performance ------------------------------------------------------------------------------


def campaign_results(ctx: QueryContext) -> pd.DataFrame:
    return ctx.query("campaign_results", max_rows=10)


def campaign_monthly(ctx: QueryContext) -> pd.DataFrame:
    frame = ctx.query("campaign_monthly", max_rows=1_000)
    if not frame.empty:
        frame["month"] = pd.to_datetime(frame["month"])
    return frame


@dataclass(frozen=True)
class AudienceFilters:
    segments: tuple[str, ...] = ("Declining",)
    risks: tuple[str, ...] = ("High Risk", "Medium Risk")
    cards: tuple[str, ...] = ()
    min_ltv: float = 5_000.0
    min_churn_score: float = 0.0


def audience_params(filters: AudienceFilters) -> list[object]:
    segments, risks, cards = pipe_list(filters.segments), pipe_list(filters.risks), pipe_list(filters.cards)
    score = float(filters.min_churn_score or 0.0)
    return [segments, segments, risks, risks, cards, cards, float(filters.min_ltv or 0.0), score, score]


def campaign_audience(ctx: QueryContext, filters: AudienceFilters) -> tuple[int, float | None]:
    """(customers, average lifetime value) of everyone matching the audience filters."""
    frame = ctx.query("campaign_audience", audience_params(filters), max_rows=1)
    if frame.empty or int(frame.iloc[0]["customers"] or 0) == 0:
        return 0, None
    return int(frame.iloc[0]["customers"]), float(frame.iloc[0]["avg_ltv"])


def campaign_targets(ctx: QueryContext, filters: AudienceFilters) -> pd.DataFrame:
    return ctx.query("campaign_targets", audience_params(filters), max_rows=TARGET_LIST_LIMIT)


# ---- Pipeline Health -----------------------------------------------------------------------------------

HEALTH_QUERIES = (
    "health_runs",
    "health_layer_counts",
    "health_quality",
    "health_quarantine",
    "health_pipe",
    "health_recent_loads",
    # alerts and the observability views (streamlit/health_views.py)
    "health_alerts",
    "health_latest_runs",
    "health_model_log",
    "health_dq_failures",
    "health_record_trends",
)


MODEL_QUERIES = ("churn_model_metrics", "churn_feature_importance", "churn_training_runs")


def health(ctx: QueryContext, name: str) -> pd.DataFrame:
    if name not in HEALTH_QUERIES and name not in MODEL_QUERIES:
        raise ValueError(f"unknown health query {name!r}")
    return ctx.query(name, max_rows=1_000)
