"""The app's data questions as plain functions: filters in, DataFrames out.

Each function runs one named SQL file through the context (`ctx.query(name, params)`), so the same code
serves Streamlit in Snowflake, the local snapshot and the tests. Filter values are always bound; lists
travel as one '|a|b|' string matched with POSITION, so every statement has a fixed shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

import pandas as pd

import formatting as fmt
from c360 import names  # shipped beside the app in Snowflake (stdlib only)

CUSTOMER_LIST_LIMIT = 5_000  # rows the Segment Explorer's table shows; its export has every match
SEARCH_PAGE_SIZE = 50
TRANSACTION_LIMIT = 20_000
TARGET_PREVIEW_ROWS = 10
SEARCH_MODES = ("id", "name", "email")
CUSTOMER_ID = re.compile(r"^CUST\d{8}$", re.IGNORECASE)


class QueryContext(Protocol):
    def query(self, name: str, params: Sequence[object] = (), max_rows: int = ...) -> pd.DataFrame: ...


class ExportContext(QueryContext, Protocol):
    def stream(
        self, name: str, params: Sequence[object] = (), max_rows: int = ...
    ) -> Iterator[pd.DataFrame]: ...


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
    history_start: date | None = None  # the earliest transaction the platform holds

    @property
    def history_months(self) -> int | None:
        """Calendar months the transaction history spans (both ends counted)."""
        if self.history_start is None or self.as_of is None:
            return None
        start, end = self.history_start, self.as_of
        return (end.year - start.year) * 12 + end.month - start.month + 1


def platform_summary(ctx: QueryContext) -> PlatformSummary:
    frame = ctx.query("platform_summary")
    row = frame.iloc[0] if not frame.empty else None
    if row is None or int(row["customers"] or 0) == 0:
        return PlatformSummary(0, None, None, 0)
    updated = (
        pd.Timestamp(row["profile_updated_at"]).to_pydatetime()
        if pd.notna(row["profile_updated_at"])
        else None
    )
    return PlatformSummary(
        int(row["customers"]),
        _day(row["as_of_date"]),
        updated,
        int(row["scored_customers"] or 0),
        _day(row.get("history_start")),
    )


def _day(value: object) -> date | None:
    stamp = fmt.to_timestamp(value)
    return None if stamp is None else stamp.date()


@dataclass(frozen=True)
class FilterOptions:
    segments: tuple[str, ...]
    states: tuple[tuple[str, str], ...]  # (code, name)
    risks: tuple[str, ...]
    cards: tuple[str, ...]
    max_avg_monthly_spend: float
    max_lifetime_value: float


RETENTION_RISKS = names.RISK_CATEGORIES[:2]  # active customers at risk: the retention audience
WIN_BACK_RISKS = (names.LAPSED,)  # no approved transaction for 60+ days: the win-back audience


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
        segments=_ordered(values("segment"), names.SEGMENTS),
        states=tuple((str(r.value), str(r.label or r.value)) for r in states.itertuples()),
        risks=_ordered(values("risk"), names.RISK_DISPLAY_ORDER),
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
    """The CUSTOMER_LIST_LIMIT most valuable matches (what the table shows)."""
    return ctx.query("segment_customers", segment_filter_params(filters), max_rows=CUSTOMER_LIST_LIMIT)


def segment_export(ctx: ExportContext, filters: SegmentFilters) -> Iterator[pd.DataFrame]:
    """Every match, most valuable first, in batches (the same statement as the table, without its row cap)."""
    return ctx.stream("segment_customers", segment_filter_params(filters))


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
            key=lambda s: s.map(lambda v: names.SEGMENTS.index(v) if v in names.SEGMENTS else 99),
        ).reset_index(drop=True)
    by_risk = (
        frame.groupby("churn_risk_category", as_index=False).agg(customers=("customers", "sum"))
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
    """Digits typed in id mode mean the numeric part: '12345' -> 'CUST00012345' (the exact match)."""
    text = (text or "").strip()
    if mode == "id" and text.isdigit() and len(text) <= 8:
        return f"CUST{int(text):08d}"
    return text


def search_params(mode: str, text: str, page: int = 1, page_size: int = SEARCH_PAGE_SIZE) -> list[object]:
    """Bound parameters of customer_search.sql: mode, the exact value, the 'edge' pattern (ids ending with the
    typed digits, names and emails starting with the text), the 'anywhere' pattern, first and last row."""
    if mode not in SEARCH_MODES:
        raise ValueError(f"unknown search mode {mode!r}: choose {', '.join(SEARCH_MODES)}")
    typed = (text or "").strip()
    exact = normalize_customer_query(mode, typed).lower()
    anywhere = like_pattern(typed)
    edge = anywhere[:-1] if mode == "id" and typed.isdigit() else anywhere[1:]
    first = (max(1, page) - 1) * page_size + 1
    return [mode, exact, edge, anywhere, first, first + page_size - 1]


@dataclass(frozen=True)
class SearchPage:
    matches: pd.DataFrame = field(repr=False)  # customer_id, full_name, email, city, state, ..., match_rank
    total: int  # every match, not just this page
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_row(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.matches) - 1


def search_customers(
    ctx: QueryContext, mode: str, text: str, page: int = 1, page_size: int = SEARCH_PAGE_SIZE
) -> SearchPage:
    """One page of the customers whose id, name or email contains `text` (anywhere, any case), exact match
    first, then those starting (ids: ending) with it, then the rest; with the total number of matches."""
    frame = ctx.query("customer_search", search_params(mode, text, page, page_size), max_rows=page_size)
    total = int(frame["total_matches"].iloc[0]) if not frame.empty else 0
    return SearchPage(frame.reset_index(drop=True), total, max(1, page), page_size)


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


@dataclass(frozen=True)
class Audience:
    customers: int
    avg_ltv: float | None
    avg_usual_monthly_spend: float | None  # what a kept customer spends in a usual month


def campaign_audience(ctx: QueryContext, filters: AudienceFilters) -> Audience:
    """Size, average lifetime value and usual monthly spend of everyone matching the audience filters."""
    frame = ctx.query("campaign_audience", audience_params(filters), max_rows=1)
    if frame.empty or int(frame.iloc[0]["customers"] or 0) == 0:
        return Audience(0, None, None)
    row = frame.iloc[0]
    spend = row.get("avg_usual_monthly_spend")
    return Audience(int(row["customers"]), float(row["avg_ltv"]), None if pd.isna(spend) else float(spend))


def campaign_economics(ctx: QueryContext) -> pd.DataFrame:
    """GOLD.CAMPAIGN_ECONOMICS: the one row of revenue rate, costs and horizon every ROI uses."""
    return ctx.query("campaign_economics", max_rows=1)


def campaign_targets(
    ctx: QueryContext, filters: AudienceFilters, limit: int = TARGET_PREVIEW_ROWS
) -> pd.DataFrame:
    """The `limit` riskiest targets (the preview table)."""
    return ctx.query("campaign_targets", audience_params(filters), max_rows=limit)


def campaign_targets_export(ctx: ExportContext, filters: AudienceFilters) -> Iterator[pd.DataFrame]:
    """The whole target list, riskiest first, in batches."""
    return ctx.stream("campaign_targets", audience_params(filters))


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
