"""Round nine (reader d): each class pinned on paraphrases of our own that appear in no evaluation set. The same
classes with hand-written reference SQL run on the platform: paraphrases/round9_reader_d.yaml (test_platform.py)."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    "question", ["what return did the month-16 offer bring?", "ROI on the retention campaign, please"]
)
def test_a_bare_roi_is_the_marts_roi_beside_the_campaign_and_says_which(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "campaign_name" in c.sql and "roi_pct" in c.sql and "seed_formula_roi_pct" not in c.sql, c.sql
    assert any("the ROI the campaign mart reports" in w for w in c.warnings), c.warnings


def test_the_windows_dates_are_not_grouped_by_the_campaign(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "what are the before and after windows the offer is measured on?")
    assert "GROUP BY" not in c.sql and "pre_period_start" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "low"),
    [
        ("did the campaign raise retention, and by how many percentage points?", "retention_lift_ci_low"),
        ("what was the spend lift per customer?", "lift_ci_low"),
    ],
)
def test_an_estimate_asked_alone_comes_with_its_interval(
    compiler_only: LocalAnalyst, question: str, low: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert f"cp.{low}" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "how many months would the offer need to pay for itself?",
        "How many months will it take the campaign to break even?",
    ],
)
def test_how_many_units_then_a_measure_in_that_unit(compiler_only: LocalAnalyst, question: str) -> None:
    assert "payback_months" in compiled(compiler_only, question).sql


def test_how_many_units_with_no_such_measure_is_not_a_count(compiler_only: LocalAnalyst) -> None:
    result = turn(compiler_only, "how many months of spend do we have per customer")
    assert result.compiled is None or "payback" not in result.compiled.sql


@pytest.mark.parametrize(
    "question",
    [
        "premium upgrades by month in 2026",
        "how many customers upgraded to premium each quarter this year?",
        "card upgrades to premium per month by segment",
    ],
)
def test_once_per_customer_events_are_counted_per_period_of_their_own_date(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "DATE_TRUNC" in sql and "p.premium_upgrade_date)" in sql, sql
    assert "metric_mom" not in sql.lower() and "fct_transactions" not in sql.lower(), sql


def test_a_series_split_by_card_type_uses_the_card_version_of_each_transaction(
    compiler_only: LocalAnalyst,
) -> None:
    c = compiled(compiler_only, "monthly spend by card type for the last 6 complete months")
    assert "DIM_CUSTOMER" in c.sql and "customer_key" in c.sql and "dc.card_type" in c.sql, c.sql
    assert any("at the time of each row" in w for w in c.warnings), c.warnings
    follow = compiled(compiler_only, "break that down by card type", "total spend by month in 2026")
    assert "dc.card_type" in follow.sql, follow.sql


def test_without_a_series_card_type_is_the_card_of_each_transaction_too(compiler_only: LocalAnalyst) -> None:
    # docs/metrics.md (2026-12-05): a transaction's card type is the card it was made on (round 10, reader b)
    sql = compiled(compiler_only, "total spend by card type in 2026").sql
    assert "dc.card_type" in sql and "p.card_type" not in sql, sql


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("upgrade to premium count per card tier", "premium_upgrade_date IS NULL"),
        ("High Risk count by region", "churn_risk_category = ?"),
        ("how many customers does the model predict will churn in each region?", "predicted_churn = ?"),
    ],
)
def test_a_value_then_count_counts_its_rows(compiler_only: LocalAnalyst, question: str, where: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "COUNT(DISTINCT p.customer_id)" in sql and where in sql and "GROUP BY" in sql, sql


def test_measure_by_group_then_top_n_ranks_by_that_measure(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "avg credit limit by state, top 3").sql
    assert "ORDER BY avg_credit_limit DESC" in sql and sql.endswith("LIMIT 3"), sql
    assert turn(compiler_only, "LTV and churn score by state, top 5").refusal is not None


def test_x_correlated_with_y(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "how closely is age correlated with credit limit?").sql
    assert "CORR(p.age, p.credit_limit)" in sql, sql
    assert turn(compiler_only, "is age correlated with credit limit and lifetime value?").refusal is not None
