"""Round six (blind v5 as a development set): each class pinned on paraphrases of our own that appear in no
evaluation set."""

from __future__ import annotations

from datetime import date

import pytest

from c360.assistant.local import LocalAnalyst
from c360.assistant.model import SemanticModel
from tests.assistant.conftest import analyst_seeing_names
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "column", "op", "value"),
    [
        ("count the customers who are 55 and over", "p.age", ">=", 55),
        ("list customers aged 45 and older", "p.age", ">=", 45),
        ("how many cardholders aged 25 or younger", "p.age", "<=", 25),
        ("customers aged 35 and under", "p.age", "<=", 35),
        ("how many customers aged 62 plus", "p.age", ">=", 62),
        ("number of customers with a credit limit of 15000 and over", "p.credit_limit", ">=", 15000),
        ("customers whose lifetime value is 20000 and under", "p.lifetime_value", "<=", 20000),
    ],
)
def test_and_over_and_under_after_a_number_are_inclusive_bounds(
    compiler_only: LocalAnalyst, question: str, column: str, op: str, value: float
) -> None:
    c = compiled(compiler_only, question)
    assert f"{column} {op} ?" in c.sql and value in c.params, (c.sql, c.params)
    assert f"{column} = ?" not in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "filtered"),
    [
        ("What share of all lifetime value is held by the Declining segment?", "p.customer_segment"),
        ("percentage of total LTV held by Texas customers", "p.state"),
        ("percent of overall lifetime value held by High Risk customers", "p.churn_risk_category"),
    ],
)
def test_a_share_of_a_total_held_by_a_group_divides_by_the_unfiltered_total(
    compiler_only: LocalAnalyst, question: str, filtered: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert f"CASE WHEN ({filtered} = ?)" in sql and "OVER ()" not in sql, sql
    assert f"WHERE {filtered}" not in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "show CUST00000042's monthly spend for the past 4 months",
        "monthly spend over the last 4 months for customer CUST00000042",
    ],
)
def test_a_monthly_series_of_one_customer_is_whole_months(
    compiler_only: LocalAnalyst, as_of_date: date, question: str
) -> None:
    c = compiled(compiler_only, question)
    first_of_month = as_of_date.replace(day=1)
    assert "mm.month < ?" in c.sql and first_of_month in c.params, (c.sql, c.params)
    assert all(not isinstance(p, date) or p.day == 1 for p in c.params), c.params


@pytest.mark.parametrize(
    "question",
    [
        "how many customers had a card or limit change in 2025?",
        "number of customers with a card upgrade or limit change in 2025",
    ],
)
def test_a_card_or_limit_change_in_a_closed_year_counts_card_versions(
    compiler_only: LocalAnalyst, question: str
) -> None:
    # round 8: the latest change date answered 2025 with the customers whose LATEST change fell in it (missing
    # those with a later one too); the card versions dated in the year answer it
    sql = compiled(compiler_only, question).sql
    assert "FROM GOLD.DIM_CUSTOMER" in sql and "dc.valid_from >= ?" in sql, sql
    assert "premium_upgrade_date" not in sql and "last_card_change_date" not in sql, sql


@pytest.mark.parametrize(
    ("question", "limit"),
    [
        ("top 7 customers most likely to churn", 7),
        ("Top 4 cardholders at highest risk of churn", 4),
    ],
)
def test_top_n_before_a_named_ranking_keeps_the_cut(
    compiler_only: LocalAnalyst, question: str, limit: int
) -> None:
    c = compiled(compiler_only, question)
    assert "ORDER BY p.churn_risk_score DESC" in c.sql and c.sql.endswith(f"LIMIT {limit}"), c.sql


def test_top_n_with_nothing_to_rank_by_still_refuses(compiler_only: LocalAnalyst) -> None:
    result = turn(compiler_only, "top 7 customers please")
    assert result.refusal is not None


def test_text_speak_are_is_read_as_the_word(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "how many cust in Florida r High Risk?").sql
    assert "p.state = ?" in sql and "p.churn_risk_category = ?" in sql, sql


def _initials(model: SemanticModel, as_of_date: date) -> LocalAnalyst:
    """Names as a masked role sees them: 'Rosa P.' is one customer, 'Ann B.' two."""
    shown = [("Rosa P.", "CUST00000301"), ("Ann B.", "CUST00000302"), ("Ann B.", "CUST00000303")]
    return analyst_seeing_names(model, as_of_date, shown)


@pytest.mark.parametrize(
    "question",
    ["Rosa P.'s lifetime value", "what is Rosa P.\u2019s card type?", "spend by channel for Rosa P."],
)
def test_a_name_typed_as_the_role_sees_it_with_a_possessive_is_the_customer(
    model: SemanticModel, as_of_date: date, question: str
) -> None:
    c = compiled(_initials(model, as_of_date), question)
    assert "CUST00000301" in c.params, (c.sql, c.params)


def test_a_shown_name_of_two_customers_is_still_refused(model: SemanticModel, as_of_date: date) -> None:
    refusal = turn(_initials(model, as_of_date), "Ann B.'s churn risk score").refusal
    assert refusal is not None and "CUST00000302" in refusal.reason and "CUST00000303" in refusal.reason


def test_a_second_noun_shares_the_words_before_the_first(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "churn risk category and score of CUST00000042").sql
    assert "p.churn_risk_category AS" in sql and "p.churn_risk_score AS" in sql, sql
    assert turn(compiler_only, "churn risk category and blorp of CUST00000042").refusal is not None


@pytest.mark.parametrize(
    "question",
    ["How many months has CUST00000042 been a cardholder?", "how many months have CUST00000042 had the card"],
)
def test_how_many_months_one_customer_has_been_with_us_is_the_tenure(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "p.tenure_months AS" in sql and "p.customer_id = ?" in sql, sql
