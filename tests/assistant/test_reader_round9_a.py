"""Round nine (reader a): changes and comparisons between periods, pinned on paraphrases of our own that appear in
no evaluation set. The same classes with hand-written reference SQL run on the platform:
paraphrases/round9_reader_a.yaml (test_platform.py)."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    "question",
    [
        "Approved spend in Q2 2026 versus Q1 2026 - what's the % change?",
        "What's the percent change in total spend from Q1 2026 to Q2 2026?",
        "Compare total spend in Q2 2026 with Q1 2026 and give the percentage change",
    ],
)
def test_a_percent_change_between_two_named_periods_is_one_row_with_both(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert (
        "UNION ALL" not in c.sql and "_change_pct" in c.sql
    )  # one row: each period a column, and the change
    assert "total_spend_q1_2026" in c.sql and "total_spend_q2_2026" in c.sql


def test_a_percent_change_with_groups_keeps_a_row_per_group(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "spend per channel in July 2026 vs August 2026, with the % change")
    assert "GROUP BY t.channel" in c.sql and "_change_pct" in c.sql


def test_a_percent_change_without_two_periods_is_refused(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "total spend vs lifetime value, with the % change").refusal is not None


@pytest.mark.parametrize(
    "question",
    [
        "month on month change in total spend over the last 4 complete months",
        "Month-over-month change in total spend over the last 4 months",
        "month over month % chg in total spend for the last 4 complete months",
    ],
)
def test_month_over_month_change_over_several_months_is_the_series(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "LAG(" in c.sql.upper() and "DATE_TRUNC('month'" in c.sql
    assert "avg_mom_change_pct" not in c.sql


def test_a_portfolio_mom_change_without_average_is_refused(compiler_only: LocalAnalyst) -> None:
    refusal = turn(compiler_only, "mom spend chg last month for the whole portfolio").refusal
    assert refusal is not None and "average" in str(refusal)
    c = compiled(compiler_only, "average mom change last month")  # asked as the average: the stored one
    assert "mom_change_pct" in c.sql


@pytest.mark.parametrize(
    ("question", "limit", "by"),
    [
        (
            "Which channel's spending grew the most from July 2026 to August 2026?",
            1,
            "total_spend_change DESC",
        ),
        (
            "which 4 merchant categories grew the most from Q1 2026 to Q2 2026",
            4,
            "total_spend_change_pct DESC",
        ),
        (
            "Which two categories grew the most in spend from July 2026 to August 2026?",
            2,
            "total_spend_change DESC",
        ),
        ("Which 3 regions grew the most from Q1 2026 to Q2 2026?", 3, "_change_pct DESC"),
    ],
)
def test_grew_the_most_ranks_groups_by_the_change_it_names(
    compiler_only: LocalAnalyst, question: str, limit: int, by: str
) -> None:
    """'which categories grew the most' (the groups grew): by the % change of their spend; 'which channel's
    spending grew the most' (the measure grew): by the amount. The answer says which."""
    result = turn(compiler_only, question)
    assert result.refusal is None and result.compiled is not None
    assert by in result.compiled.sql and result.compiled.sql.endswith(f"LIMIT {limit}")
    notes = result.compiled.query.notes if hasattr(result.compiled, "query") else ()
    assert notes == () or any("ranked by the" in n for n in notes)


def test_a_category_growth_ranking_leaves_out_uncategorized(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "which 3 merchant categories grew the most from Q1 2026 to Q2 2026")
    assert "Uncategorized" in c.params and "category_name <> ?" in c.sql


def test_the_biggest_drop_in_total_spend_still_ranks_by_the_amount(compiler_only: LocalAnalyst) -> None:
    c = compiled(
        compiler_only, "which region saw the biggest drop in total spend, last 90 days vs the 90 days before?"
    )
    assert "ORDER BY total_spend_change ASC" in c.sql and c.sql.endswith("LIMIT 1")


def test_a_segments_spending_over_the_stored_windows_is_refused_with_both_readings(
    compiler_only: LocalAnalyst,
) -> None:
    refusal = turn(
        compiler_only, "Which segment's spend grew the most in the last 90 days vs the 90 days before?"
    ).refusal
    assert refusal is not None and "average spend change" in str(refusal)
    c = compiled(compiler_only, "spend by channel in the last 90 days compared with the 90 days before")
    assert "channel" in c.sql  # by channel: no stored change to confuse it with


def test_an_average_in_a_window_against_all_time(compiler_only: LocalAnalyst) -> None:
    c = compiled(
        compiler_only, "Average approved transaction amount over the past 30 days compared with all time"
    )
    assert "_all_time" in c.sql and "_the_last_30_days" in c.sql and "UNION ALL" not in c.sql
    assert turn(compiler_only, "total spend in the last 30 days vs all time").refusal is not None


@pytest.mark.parametrize(
    "question",
    [
        "Monthly active cardholders (at least one approved transaction) over the last 6 complete months",
        "Active customers (with at least 1 purchase) per month for the last 6 complete months",
    ],
)
def test_active_cardholders_defined_in_parentheses_are_the_active_count(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "COUNT(DISTINCT" in c.sql and "approved_transactions > 0" in c.sql
    assert "customer_status" not in c.sql


def test_a_followup_on_monthly_active_cardholders_keeps_the_count(compiler_only: LocalAnalyst) -> None:
    c = compiled(
        compiler_only,
        "only premium cardholders",
        "Monthly active cardholders (at least one approved transaction) over the last 6 complete months",
    )
    assert "COUNT(DISTINCT" in c.sql and "Premium" in c.params and "customer_status" not in c.sql


def test_the_last_n_complete_months_after_a_unit_is_read_whole(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "total spend by month for the last 3 complete months")
    assert "DATE_TRUNC('month'" in c.sql
