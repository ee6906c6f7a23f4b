"""Round nine (reader b): distributions, shares and bands, each class pinned on paraphrases of our own that
appear in no evaluation set. The same classes with hand-written reference SQL run on the platform:
paraphrases/round9_reader_b.yaml (test_platform.py)."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    "question",
    [
        "Customer counts and percentages by card type",
        "Count and share of customers by employment status",
        "Customers by recency status: counts and shares",
        "How many customers per region, with percentages?",
        "How many cardholders does each churn risk category have, and what share of the whole customer base is that?",
        "Distribution of customers by segment with percentages",
    ],
)
def test_counts_and_percentages_are_the_count_and_its_share_of_the_total(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "COUNT(DISTINCT p.customer_id) AS customer_count" in c.sql
    assert "SUM(COUNT(DISTINCT p.customer_id)) OVER ()" in c.sql and "GROUP BY" in c.sql
    assert "WHERE" not in c.sql


@pytest.mark.parametrize(
    "question",
    [
        "What share of spend in the last 90 days went through mobile, online and in-store?",
        "What percentage of customers hold Standard and Premium cards?",
    ],
)
def test_a_share_of_a_list_of_every_value_is_each_values_share(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "OVER ()" in c.sql and "GROUP BY" in c.sql and " IN (" not in c.sql


def test_a_share_of_some_values_stays_their_share_together(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "What share of spend in the last 90 days came from online and mobile?")
    assert "GROUP BY" not in c.sql and "IN ('Online', 'Mobile')" in c.display_sql()


@pytest.mark.parametrize(
    ("question", "fraction", "column"),
    [
        ("What is the 75th percentile of credit limit?", "0.75", "credit_limit"),
        ("95th percentile of churn risk score by segment", "0.95", "churn_risk_score"),
        ("p90 of age for Premium cardholders", "0.9", "age"),
        ("the 10th percentile of lifetime value in the Declining segment", "0.1", "lifetime_value"),
        ("What's the 50th-percentile LTV?", "0.5", "lifetime_value"),
    ],
)
def test_a_percentile_is_a_continuous_percentile(
    compiler_only: LocalAnalyst, question: str, fraction: str, column: str
) -> None:
    c = compiled(compiler_only, question)
    assert f"PERCENTILE_CONT({fraction}) WITHIN GROUP (ORDER BY p.{column})" in c.sql


def test_a_percentile_of_transaction_amounts_counts_approved_ones(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "95th percentile of transaction amount in 2026")
    assert "PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY CASE WHEN t.status = 'approved'" in c.display_sql()


def test_a_percentile_of_rows_is_refused(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "What's the 90th percentile of customers?").refusal is not None


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("Average churn risk score and number of High Risk customers by region", "High Risk"),
        ("Average age and how many Premium customers in each segment", "Premium"),
        ("Total lifetime value and number of retired customers per region", "Retired"),
        ("Churn risk by region: average score and how many high-risk customers", "High Risk"),
        ("Lifetime value per segment - average value and number of lapsed customers", "Lapsed"),
    ],
)
def test_a_value_inside_a_count_after_another_measure_is_that_counts_own(
    compiler_only: LocalAnalyst, question: str, value: str
) -> None:
    c = compiled(compiler_only, question)
    assert "COUNT(DISTINCT CASE WHEN" in c.sql and "WHERE" not in c.sql and value in c.display_sql()


def test_a_count_said_first_keeps_its_value_for_the_whole_question(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "Number of High Risk customers and their average churn risk score by region")
    assert "WHERE p.churn_risk_category = ?" in c.sql


def test_an_age_group_list_is_bands_and_the_count_keeps_its_value(compiler_only: LocalAnalyst) -> None:
    c = compiled(
        compiler_only,
        "Churn risk by age group (18-34, 35-49, 50-64, 65+): average score and number of high-risk customers.",
    )
    assert "p.age >= 65 THEN '65+'" in c.display_sql() and "AVG(p.churn_risk_score)" in c.sql
    assert "COUNT(DISTINCT CASE WHEN (p.churn_risk_category = ?)" in c.sql


@pytest.mark.parametrize(
    "question",
    [
        "Which day of the week has the most transactions? Show all seven.",
        "Which region has the highest average lifetime value? List all four",
    ],
)
def test_show_all_n_after_a_singular_superlative_keeps_every_group(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "LIMIT" not in c.sql and "QUALIFY" not in c.sql


def test_two_years_joined_by_and_stay_unread(compiler_only: LocalAnalyst) -> None:
    # the series over both would be right, but the answer shows each quarter's first day and number, not a year
    # column beside it; left for a round that adds the year to a multi-year quarterly series
    assert turn(compiler_only, "Accounts opened each quarter in 2025 and 2026").refusal is not None
    assert turn(compiler_only, "Total spend in 2025 and 2026").refusal is not None
