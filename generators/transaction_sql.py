"""Render the in-warehouse transaction generator for DuckDB or Snowflake from the one portfolio spec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import jinja2

from c360.names import CUSTOMERS_KEY
from c360.paths import SQL_DIR
from c360.reference import CATEGORIES
from generators.spec import DEFAULT_SPEC, IN_STORE_CATEGORIES, NEW_GROWING, ONLINE_CATEGORIES, PortfolioSpec

Dialect = Literal["duckdb", "snowflake"]
GENERATOR_SOURCE_PREFIX = "generator:transactions"


@dataclass(frozen=True)
class HistoryWindow:
    """Months 1..N end at the as-of date: month 1 starts on the 1st, the last month runs to as-of (exclusive)."""

    first_month_start: date
    history_end: date  # exclusive: nothing on or after the as-of date's midnight
    months: int

    @classmethod
    def for_as_of(cls, as_of: date, months: int) -> HistoryWindow:
        first = as_of.replace(day=1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return cls(first, as_of, months)


def source_file(spec: PortfolioSpec, seed: int) -> str:
    return f"{GENERATOR_SOURCE_PREFIX}:v{spec.version}:seed={seed}"


def render_transactions_sql(
    dialect: Dialect,
    *,
    seed: int,
    as_of: date,
    months: int,
    spec: PortfolioSpec = DEFAULT_SPEC,
    target_table: str = "BRONZE.BRONZE_TRANSACTIONS",
    customers_table: str = "BRONZE.BRONZE_CUSTOMERS",
) -> str:
    """One INSERT ... SELECT statement; its single `?` binds the ingestion timestamp."""
    window = HistoryWindow.for_as_of(as_of, months)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(SQL_DIR / "generate"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    template = env.get_template("transactions.sql.j2")
    profiles = spec.segments
    return template.render(
        dialect=dialect,
        seed=int(seed),
        spec=spec,
        months=months,
        first_month_start=f"{window.first_month_start.isoformat()} 00:00:00",
        history_end=f"{window.history_end.isoformat()} 00:00:00",
        target_table=target_table,
        customers_table=customers_table,
        customers_source=CUSTOMERS_KEY,
        source_file=source_file(spec, seed),
        new_growing=NEW_GROWING,
        gradual_start_month=months - spec.gradual_decline_start_before_end,
        sudden_month_lo=months - spec.sudden_drop_before_end[1],
        sudden_month_hi=months - spec.sudden_drop_before_end[0],
        campaign_offer_month=months - spec.campaign_offer_before_end,
        monthly_txns={s: p.monthly_txns for s, p in profiles.items()},
        base_amount={s: p.base_amount for s, p in profiles.items()},
        decline_rates={s: p.decline_rate for s, p in profiles.items()},
        category_cdf={s: _cdf(p.category_weights) for s, p in profiles.items()},
        channel_cdf={s: _channel_edges(p.channel_weights) for s, p in profiles.items()},
        categories=CATEGORIES,
        merchants_per_category=_merchants_per_category(),
        online_categories=ONLINE_CATEGORIES,
        in_store_categories=IN_STORE_CATEGORIES,
        hour_cdf=[round(edge, 9) for edge in spec.hour_cdf()],
        hour_slices=_hour_slices(spec),
        weekday_peak=round(max(spec.weekday_factor(d) for d in range(1, 8)), 9),
        weekday_keep=_weekday_keep(spec),
    )


def ingestion_time() -> datetime:
    """Load metadata, not content: excluded from the bronze checksum."""
    return datetime.now().replace(microsecond=0)


def _cdf(weights: Mapping[str, float]) -> list[tuple[int, float]]:
    """Cumulative edges keyed by the category's index in CATEGORIES (the join key of category_ref)."""
    index = {c.name: i for i, c in enumerate(CATEGORIES)}
    total = sum(weights.values())
    edges, acc = [], 0.0
    for name, w in weights.items():
        acc += w / total
        edges.append((index[name], round(acc, 6)))
    return edges


def _hour_slices(spec: PortfolioSpec) -> list[tuple[float, float]]:
    """(start, width) of each hour's slice of the unit interval, from the hour-of-day profile."""
    cdf = [0.0, *spec.hour_cdf()]
    return [(round(cdf[h], 9), round(cdf[h + 1] - cdf[h], 9)) for h in range(24)]


def _weekday_keep(spec: PortfolioSpec) -> list[float]:
    """Thinning by weekday: the share of drawn transactions kept on each ISO weekday (1 on the busiest)."""
    peak = max(spec.weekday_factor(d) for d in range(1, 8))
    return [round(spec.weekday_factor(d) / peak, 9) for d in range(1, 8)]


def _merchants_per_category() -> int:
    counts = {len(c.merchants) for c in CATEGORIES}
    if len(counts) != 1:
        raise ValueError("every category needs the same number of merchant names")
    return counts.pop()


def _channel_edges(weights: tuple[float, float, float]) -> tuple[float, float]:
    total = sum(weights)
    return round(weights[0] / total, 6), round((weights[0] + weights[1]) / total, 6)
