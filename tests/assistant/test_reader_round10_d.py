"""Round ten (reader d): each class pinned on paraphrases of our own that appear in no evaluation set. The same
classes with hand-written reference SQL run on the platform: paraphrases/round10_reader_d.yaml (test_platform.py)."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


def test_text_speak_right_now_is_read_and_said(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "how many at risk customers rn")
    assert "churn_risk_category IN" in c.sql and "GROUP BY" not in c.sql, c.sql
    assert any("'rn' as 'right now'" in w for w in c.warnings), c.warnings


@pytest.mark.parametrize(
    "question",
    ["customers by segment pls, with % of total", "lapsed customers by card type with share of total"],
)
def test_a_headline_count_with_its_share_of_total(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert "COUNT(DISTINCT p.customer_id)" in c.sql and "OVER ()" in c.sql and "GROUP BY" in c.sql, c.sql


@pytest.mark.parametrize("followup", ["and by channel too", "split that by channel as well"])
def test_a_followup_adds_a_second_grouping_with_too_or_as_well(
    compiler_only: LocalAnalyst, followup: str
) -> None:
    c = compiled(compiler_only, followup, "number of transactions by region this year")
    assert "GROUP BY p.region, t.channel" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "category"),
    [
        ("How many customers purchased plane tickets in the last 30 days?", "Airlines"),
        ("how many customers bought movie tickets last month", "Entertainment"),
        ("how many customers paid for hotel stays this year", "Hotels"),
        ("how much did we spend on airfare this year", "Airlines"),
    ],
)
def test_a_purchase_named_by_what_was_bought_is_its_category(
    compiler_only: LocalAnalyst, question: str, category: str
) -> None:
    c = compiled(compiler_only, question)
    assert "mc.category_name = ?" in c.sql and category in c.params, (c.sql, c.params)


def test_a_recency_bucket_is_the_recency_status(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "customers in each recency bucket").sql
    assert "GROUP BY p.recency_status" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "how many customers were scored",
        "how many scored customers",
        "average churn score of scored customers",
    ],
)
def test_scored_customers_are_those_with_a_churn_score(compiler_only: LocalAnalyst, question: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "NOT p.churn_risk_score IS NULL" in sql, sql


def test_a_churn_score_compared_stays_a_comparison(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "how many customers have a churn score above 50").sql
    assert "p.churn_risk_score > ?" in sql and "p.age" not in sql, sql


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("Average churn risk score per region (scored customers only)", "NOT p.churn_risk_score IS NULL"),
        ("average lifetime value by region (lapsed customers only)", "p.customer_status = 'Lapsed'"),
        ("average age by region (excluding lapsed)", "NOT (p.customer_status = 'Lapsed')"),
    ],
)
def test_a_restriction_in_parentheses_narrows_the_question(
    compiler_only: LocalAnalyst, question: str, where: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert where in sql and "GROUP BY p.region" in sql, sql


def test_values_listed_in_parentheses_still_only_explain(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "customers per recency bucket (active/lapsing/lapsed)").sql
    assert "WHERE" not in sql and "GROUP BY p.recency_status" in sql, sql


@pytest.mark.parametrize(
    ("question", "order"),
    [
        ("top 3 hours of the day by number of transactions", "LIMIT 3"),
        ("In which hour of the day do we see the most declines?", "LIMIT 1"),
    ],
)
def test_the_hour_of_day_is_a_grouping(compiler_only: LocalAnalyst, question: str, order: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "GROUP BY HOUR(t.transaction_date)" in sql and order in sql, sql


def test_a_bare_per_hour_is_not_read_as_the_hour_of_day(compiler_only: LocalAnalyst) -> None:
    result = turn(compiler_only, "transactions per hour")
    assert result.compiled is None or "HOUR(" not in result.compiled.sql


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("how many premium customers saw spending fall by more than half", "p.spend_change_pct < ?"),
        ("customers whose spend went up by more than half", "p.spend_change_pct > ?"),
    ],
)
def test_a_change_by_more_than_half_is_fifty_percent(
    compiler_only: LocalAnalyst, question: str, where: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert where in sql, sql


def test_active_stays_todays_status_beside_the_stored_change_windows(compiler_only: LocalAnalyst) -> None:
    sql = compiled(
        compiler_only,
        "How many active customers saw their spend drop by more than 50% in the last 90 days vs the 90 before?",
    ).sql
    assert (
        "p.customer_status = ?" in sql and "p.spend_change_pct < ?" in sql and "transaction_date" not in sql
    ), sql
