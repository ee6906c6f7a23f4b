"""Round eight (reader b): each class pinned on paraphrases of our own that appear in no evaluation set. The
same classes with hand-written reference SQL run on the platform: paraphrases/round8_reader_b.yaml
(test_platform.py)."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("Average monthly spend by age band: 18-29, 30-44, 45-59, 60+", "18-29"),
        ("Total lifetime value by age band: 45-75, 18-44", "45-75"),
        ("how many customers in each age bracket 18-34, 35-54, 55+", "18-34"),
    ],
)
def test_listed_bands_come_in_the_listed_order(
    compiler_only: LocalAnalyst, question: str, first: str
) -> None:
    c = compiled(compiler_only, question)
    assert "ORDER BY age_band_position" in c.sql, c.sql
    labels = [p for p in c.params if isinstance(p, str)]
    assert labels[0] == first, (
        c.params
    )  # the band CASE in the listed order; its position numbers them 1, 2, …


def test_a_ranking_of_bands_still_ranks_by_the_measure(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "which age band has the highest churn score: 18-39, 40-59, 60+").sql
    assert "ORDER BY avg_churn_risk_score DESC" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "Which day of the week has the most transactions? Rank them.",
        "which segment has the highest average LTV - rank them",
        "What region has the most customers? please rank them",
        "which channel had the most spend in the last 90 days, ranked",
    ],
)
def test_rank_them_after_a_singular_superlative_keeps_every_group(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "LIMIT 1" not in sql and "DESC NULLS LAST" in sql, sql


@pytest.mark.parametrize(
    "question",
    ["which segment has the most customers", "Which day of the week do customers spend the most?"],
)
def test_a_singular_superlative_alone_is_still_one_row(compiler_only: LocalAnalyst, question: str) -> None:
    assert compiled(compiler_only, question).sql.endswith("LIMIT 1")


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("Online vs in-store vs mobile: share of transactions in the last 30 days", "t.channel"),
        ("Premium vs Standard: share of customers", "p.card_type"),
        ("share of spend in 2025, online vs in-store vs mobile app", "t.channel"),
        ("Northeast vs Midwest vs South vs West - what percentage of customers?", "p.region"),
    ],
)
def test_every_value_vs_the_others_with_a_share_is_each_values_share(
    compiler_only: LocalAnalyst, question: str, column: str
) -> None:
    c = compiled(compiler_only, question)
    assert f"GROUP BY {column}" in c.sql and "OVER ()" in c.sql, c.sql
    assert " IN (" not in c.sql, c.sql  # every value: no filter, never one 100 % share


@pytest.mark.parametrize(
    "question",
    [
        "share of spend, Dining vs Groceries, last 90 days",
        "Low Risk vs Medium Risk vs High Risk - what percentage of customers?",
        "compare California and Texas share of spend",
    ],
)
def test_a_share_of_some_values_vs_others_is_refused(compiler_only: LocalAnalyst, question: str) -> None:
    refusal = turn(compiler_only, question).refusal
    assert refusal is not None and "of everything or of those listed" in refusal.reason, refusal


@pytest.mark.parametrize(
    "question",
    [
        "Which segment spends the most per customer?",
        "spend per customer by card type",
        "which states spend the least per customer",
        "How much do Premium cardholders spend per customer?",
    ],
)
def test_spend_per_customer_is_the_average_monthly_spend(compiler_only: LocalAnalyst, question: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "AVG(p.avg_monthly_spend)" in sql and "lifetime_value" not in sql, sql


@pytest.mark.parametrize("question", ["total spend per customer by region", "spend per customer last month"])
def test_a_total_or_a_window_per_customer_is_refused(compiler_only: LocalAnalyst, question: str) -> None:
    refusal = turn(compiler_only, question).refusal
    assert refusal is not None and "which spend per customer" in refusal.reason, refusal


@pytest.mark.parametrize(
    ("question", "pair"),
    [
        ("correlation between age and credit limit", "CORR(p.age, p.credit_limit)"),
        ("What's the corr of churn score and lifetime value?", "CORR(p.churn_risk_score, p.lifetime_value)"),
        (
            "how correlated are credit limit and average monthly spend?",
            "CORR(p.credit_limit, p.avg_monthly_spend)",
        ),
        ("are age and credit limit correlated", "CORR(p.age, p.credit_limit)"),
        ("correlation of age and LTV by segment", "CORR(p.age, p.lifetime_value)"),
    ],
)
def test_the_correlation_of_two_customer_columns(
    compiler_only: LocalAnalyst, question: str, pair: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert f"{pair} AS correlation" in sql and "GOLD.CUSTOMER_360_PROFILE" in sql, sql


def test_a_correlation_keeps_the_questions_filters(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "correlation between LTV and tenure for Premium customers")
    assert "CORR(p.lifetime_value, p.tenure_months)" in c.sql and "p.card_type = ?" in c.sql, c.sql


@pytest.mark.parametrize(
    "question",
    [
        "is there a correlation between segment and region?",
        "correlation between age and spend last month",
        "correlation between age, LTV and credit limit",
        "correlation between age and age",
    ],
)
def test_a_correlation_of_anything_but_two_customer_columns_is_refused(
    compiler_only: LocalAnalyst, question: str
) -> None:
    refusal = turn(compiler_only, question).refusal
    assert refusal is not None, question


@pytest.mark.parametrize(
    "question",
    [
        "Weekend vs weekday average purchase amount in the last 90 days",
        "weekday vs weekend spend last month",
        "Compare weekend and weekday spend by channel in 2025",
        "median purchase amount, weekdays versus weekends",
    ],
)
def test_weekend_vs_weekday_is_a_row_for_each_side(compiler_only: LocalAnalyst, question: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "GROUP BY dd.is_weekend" in sql and "WHERE (NOT dd.is_weekend)" not in sql, sql
    assert "dd.is_weekend = " not in sql, sql  # neither side is a filter


@pytest.mark.parametrize(
    ("question", "condition"),
    [
        ("how many approved transactions on weekdays last month", "(NOT dd.is_weekend)"),
        ("total spend on weekdays in 2025", "(NOT dd.is_weekend)"),
        ("what percentage of spend in the last 90 days happened on weekends", "(dd.is_weekend = ?)"),
    ],
)
def test_weekdays_and_weekends_alone_are_filters(
    compiler_only: LocalAnalyst, question: str, condition: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert condition in sql and "GROUP BY" not in sql, sql


@pytest.mark.parametrize(
    ("question", "bucket", "width"),
    [
        ("Distribution of churn risk scores in buckets of 10", "FLOOR(p.churn_risk_score / ?) * ?", 10),
        ("how many customers per age bucket of 10", "FLOOR(p.age / ?) * ?", 10),
        ("distribution of credit limits in buckets of 5000", "FLOOR(p.credit_limit / ?) * ?", 5000),
        ("average lifetime value by churn score in bins of 20", "FLOOR(p.churn_risk_score / ?) * ?", 20),
    ],
)
def test_fixed_width_buckets_of_a_number(
    compiler_only: LocalAnalyst, question: str, bucket: str, width: int
) -> None:
    c = compiled(compiler_only, question)
    name = bucket.split("(")[1].split(" ")[0].removeprefix("p.") + "_bucket"
    assert f"{bucket} AS {name}" in c.sql and c.params[:2] == (width, width), (c.sql, c.params)
    assert f"GROUP BY {name} ORDER BY {name}" in c.sql and "IS NOT NULL" in c.sql, c.sql


def test_buckets_of_nothing_named_are_refused(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "how many customers in buckets of 10").refusal is not None


@pytest.mark.parametrize(
    "question", ["what happened to spend in October 2026", "what happened to churn risk"]
)
def test_what_happened_to_a_measure_is_refused(compiler_only: LocalAnalyst, question: str) -> None:
    assert turn(compiler_only, question).refusal is not None
