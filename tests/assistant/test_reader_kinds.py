"""Question kinds read in the fifth round (docs/assistant.md, "Fifth round"), on paraphrases of no evaluation
set: a minimum group size, rates of a named filter, ... — and the near misses that stay refused."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "having"),
    [
        ("average credit limit per region, only regions with more than 300 customers", "> ?"),
        (
            "which segment has the lowest average churn score among segments with at least 100 customers",
            ">= ?",
        ),
        ("total spend by merchant category for categories with fewer than 40 customers", "< ?"),
    ],
)
def test_a_minimum_group_size_is_a_count_per_group(
    compiler_only: LocalAnalyst, question: str, having: str
) -> None:
    """'groups with at least N <rows>' counts the rows in every group (HAVING), never a column of each row."""
    c = compiled(compiler_only, question)
    assert "HAVING COUNT(DISTINCT " in c.sql and c.sql.split("HAVING", 1)[1].lstrip().startswith("COUNT"), (
        c.sql
    )
    assert having in c.sql.split("HAVING", 1)[1], c.sql


def test_a_count_of_rows_without_groups_is_not_a_group_size(compiler_only: LocalAnalyst) -> None:
    """'states with at least 50 customers' and nothing grouped: there is no group to size."""
    result = turn(compiler_only, "states with at least 50 customers")
    assert result.refusal is not None or "HAVING" not in (result.compiled.sql if result.compiled else ""), (
        result
    )


@pytest.mark.parametrize(
    ("question", "group"),
    [("lapse rate by card type", "p.card_type"), ("what's the lapse rate in each region", "p.region")],
)
def test_the_rate_of_a_named_filter_per_group(compiler_only: LocalAnalyst, question: str, group: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert (
        "COUNT(DISTINCT CASE WHEN ((p.customer_status = 'Lapsed'))" in sql and f"GROUP BY {group}" in sql
    ), sql


@pytest.mark.parametrize(
    ("question", "first", "last"),
    [
        ("grocery spend in September versus August", "2026-08-01", "2026-09-01"),
        ("how many declined transactions in Q3 2026 compared with Q2 2026", "2026-04-01", "2026-07-01"),
        ("spend by region, 2025 vs 2024", "2024-01-01", "2025-01-01"),
    ],
)
def test_two_periods_side_by_side_are_each_measure_once_per_period(
    compiler_only: LocalAnalyst, question: str, first: str, last: str
) -> None:
    """Each measure restricted to each period's dates (conditional aggregation over one scan of both), the
    earlier period first, and the change from it."""
    c = compiled(compiler_only, question)
    starts = [str(p) for p in c.params if hasattr(p, "isoformat")]
    assert first in starts and last in starts, c.params
    assert c.sql.count("CASE WHEN (t.transaction_date >= ?) AND (t.transaction_date < ?)") == 2, c.sql
    assert "_change_pct" in c.sql and len(c.changes) == 1, c.sql


def test_a_change_between_two_periods_is_ranked_in_its_own_unit(compiler_only: LocalAnalyst) -> None:
    """'which category's spend fell the most from July to August': the largest drop first, one row for a
    singular noun."""
    c = compiled(compiler_only, "which merchant category's spend fell the most from July to August")
    assert "ORDER BY total_spend_change ASC" in c.sql and c.sql.endswith("LIMIT 1"), c.sql
    grew = compiled(compiler_only, "which segments grew their spend the most from Q2 to Q3 2026")
    assert "ORDER BY total_spend_change DESC" in grew.sql and "LIMIT 1" not in grew.sql, grew.sql


@pytest.mark.parametrize(
    "question",
    [
        "spend from July to September",  # no change asked: one window over the three months
        "spend between July and September",
    ],
)
def test_a_range_without_a_change_stays_one_window(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert not c.changes and "CASE WHEN (t.transaction_date" not in c.sql, c.sql


@pytest.mark.parametrize(
    "question",
    [
        "spend in 2026 vs the last 90 days",  # the periods overlap
        "average lifetime value in 2025 vs 2026",  # a lifetime measure has no period
    ],
)
def test_two_periods_that_cannot_be_compared_are_refused(compiler_only: LocalAnalyst, question: str) -> None:
    assert turn(compiler_only, question).refusal is not None, compiled(compiler_only, question).sql


@pytest.mark.parametrize(
    ("question", "grain", "partition"),
    [
        ("spend per month in 2025 and the percentage change from the prior month", "month", ""),
        ("number of transactions by quarter, with growth versus the preceding quarter", "quarter", ""),
        (
            "monthly spend by card type since March with the change from the previous month",
            "month",
            "card_type",
        ),
    ],
)
def test_a_change_over_a_series_compares_each_period_with_the_one_before(
    compiler_only: LocalAnalyst, question: str, grain: str, partition: str
) -> None:
    """LAG over the time column (restarting in every other group), never a per-customer change measure."""
    sql = compiled(compiler_only, question).sql
    over = f"OVER (PARTITION BY {partition} ORDER BY {grain})" if partition else f"OVER (ORDER BY {grain})"
    assert "LAG(" in sql and over in sql and "mom_change_pct" not in sql, sql


def test_the_first_period_of_a_windowed_series_has_its_change(compiler_only: LocalAnalyst) -> None:
    """The window is read one period earlier, and that period is left out of the rows."""
    c = compiled(compiler_only, "monthly spend in 2025 with the month over month % change")
    assert str(c.params[0]) == "2024-12-01" and str(c.params[-1]) == "2025-01-01", c.params
    assert c.sql.endswith("WHERE month >= ? ORDER BY month"), c.sql


def test_month_over_month_change_alone_is_still_the_measure(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "what is the average month-over-month change").sql
    assert "LAG(" not in sql and "mom_change_pct" in sql, sql


def test_a_change_from_the_previous_period_without_a_series_or_one_period_is_refused(
    compiler_only: LocalAnalyst,
) -> None:
    assert turn(compiler_only, "total spend with the change from the previous month").refusal is not None


@pytest.mark.parametrize(
    ("question", "bounds"),
    [
        ("number of customers with zero purchases in September", 2),
        ("list the Standard cardholders with no spend since August", 1),
        ("which retired customers didn't buy anything in Q2 2026", 2),
    ],
)
def test_no_activity_in_a_calendar_period_is_an_anti_join(
    compiler_only: LocalAnalyst, question: str, bounds: int
) -> None:
    """The period belongs to the activity (no approved transaction dated in it), not to the customers' rows."""
    c = compiled(compiler_only, question)
    assert "NOT EXISTS (SELECT 1 FROM GOLD.FCT_TRANSACTIONS AS activity" in c.sql, c.sql
    assert c.sql.count("activity.transaction_date") == bounds and "approved" in c.params, (c.sql, c.params)


def test_no_activity_in_over_n_days_stays_the_recency_column(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "customers with no purchases in over 45 days").sql
    assert "days_since_last_transaction > ?" in sql and "NOT EXISTS" not in sql, sql


def test_no_activity_without_a_period_is_refused(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "how many customers have no transactions").refusal is not None


@pytest.mark.parametrize(
    ("question", "column", "labels"),
    [
        ("number of customers per age bracket 21-35, 36-50, 51+", "p.age", ("21-35", "36-50", "51+")),
        (
            "average credit limit by churn score band 0-19.9, 20-49.9, 50-100",
            "p.churn_risk_score",
            ("0-19.9", "20-49.9", "50-100"),
        ),
        (
            "total LTV by lifetime value bucket $0-$25k, $25k-$100k, $100k+",
            "p.lifetime_value",
            ("$0-$25k", "$25k-$100k", "$100k+"),
        ),
    ],
)
def test_numeric_bands_come_from_the_questions_own_numbers(
    compiler_only: LocalAnalyst, question: str, column: str, labels: tuple[str, ...]
) -> None:
    """A CASE over the listed ranges (both ends included, 'N+' open), grouped by the band's name, rows in no
    band left out — never the column's every value."""
    c = compiled(compiler_only, question)
    assert c.sql.startswith(f"SELECT CASE WHEN {column} >= ?") and "_band" in c.sql.split("GROUP BY")[1], (
        c.sql
    )
    assert all(label in c.params for label in labels) and "IS NOT NULL" in c.sql, c.params


def test_a_band_grouping_replaces_the_plain_one(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "customer count by age band 18-44, 45+ and region").sql
    assert "GROUP BY age_band, age_band_position, p.region" in sql and "p.age AS age," not in sql, sql


def test_bands_of_something_that_is_not_a_number_are_refused(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "number of customers per segment band 1-3, 4-6").refusal is not None
