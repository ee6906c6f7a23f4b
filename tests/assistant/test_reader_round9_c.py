"""Round nine (reader c): one named customer and lists of customers by condition, pinned on paraphrases of our own
that appear in no evaluation set. The same classes with hand-written reference SQL run on the platform:
paraphrases/round9_reader_c.yaml (test_platform.py). Cities read from the warehouse are pinned here on an analyst
given a city list of its own (values.read_dimension_values reads them on a warehouse session)."""

from __future__ import annotations

from datetime import date

import pytest

from c360.assistant.local import LocalAnalyst
from c360.assistant.model import SemanticModel
from tests.assistant.test_compiler import compiled, turn

CITIES = {"customer_360_profile.city": ["Fresno", "Tampa", "Charlotte", "Austin", "Mobile", "New York"]}


@pytest.fixture(scope="module")
def with_cities(model: SemanticModel, as_of_date: date) -> LocalAnalyst:
    return LocalAnalyst(model, as_of_date, use_verified=False, dimension_values=CITIES)


@pytest.mark.parametrize(
    ("question", "descending"),
    [
        ("Which 5 customers are using the most of their credit limit?", True),
        ("the 3 customers using the least of their credit limit", False),
        ("who are the ten customers that use the most of their credit limit", True),
    ],
)
def test_the_most_of_a_column_ranks_by_its_declared_ratio(
    compiler_only: LocalAnalyst, question: str, descending: bool
) -> None:
    c = compiled(compiler_only, question)
    order = "p.credit_utilization_pct DESC" if descending else "p.credit_utilization_pct ASC"
    assert f"ORDER BY {order}" in c.sql and "p.credit_limit AS credit_limit" in c.sql, c.sql


def test_top_customers_by_credit_limit_still_rank_by_the_limit(compiler_only: LocalAnalyst) -> None:
    assert "ORDER BY p.credit_limit DESC" in compiled(compiler_only, "top 10 customers by credit limit").sql


@pytest.mark.parametrize(
    "question",
    [
        "Which Ohio customers are at high churn risk?",
        "Show Florida customers in the Medium Risk band",
        "Declining customers with a churn score above 60",
    ],
)
def test_a_listing_cut_by_churn_risk_reads_riskiest_first(compiler_only: LocalAnalyst, question: str) -> None:
    result = turn(compiler_only, question)
    assert result.compiled is not None and "ORDER BY p.churn_risk_score DESC" in result.compiled.sql
    assert any("highest first" in w for w in result.reply.warnings)


def test_an_asked_order_of_a_risk_listing_is_kept(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "High Risk customers sorted by lifetime value").sql
    assert "ORDER BY p.lifetime_value" in sql, sql


@pytest.mark.parametrize(
    ("question", "direction"),
    [
        ("List every transaction CUST00000044 made in September 2026", "ASC"),
        ("Show all of CUST00000120's approved purchases in the last 30 days", "ASC"),
        ("show every transaction of CUST00000004 in the last 30 days, newest first", "DESC"),
        ("the last 5 transactions for CUST00000042", "DESC"),
    ],
)
def test_a_periods_transactions_read_oldest_first_unless_asked(
    compiler_only: LocalAnalyst, question: str, direction: str
) -> None:
    assert f"ORDER BY t.transaction_date {direction}" in compiled(compiler_only, question).sql


@pytest.mark.parametrize(
    ("question", "city"),
    [
        ("How many customers do we have in Fresno?", "Fresno"),
        ("Which customers in Tampa, Florida hold a Premium card?", "Tampa"),
        ("average lifetime value of customers living in Charlotte", "Charlotte"),
    ],
)
def test_a_city_read_from_the_warehouse_filters_on_the_city(
    with_cities: LocalAnalyst, question: str, city: str
) -> None:
    c = compiled(with_cities, question)
    assert "p.city = ?" in c.sql and city in c.params, (c.sql, c.params)


def test_a_city_no_list_names_is_not_read(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "How many customers do we have in Fresno?").refusal is not None


@pytest.mark.parametrize(
    "question",
    [
        "What's Charlotte's churn risk?",  # a possessive first name, not the city
        "how many customers in fresno",  # a proper noun only written capitalised
    ],
)
def test_a_city_is_read_only_as_written(with_cities: LocalAnalyst, question: str) -> None:
    result = turn(with_cities, question)
    assert result.compiled is None or "p.city" not in result.compiled.sql


def test_a_city_that_is_another_value_keeps_that_meaning(with_cities: LocalAnalyst) -> None:
    sql = compiled(with_cities, "spend through Mobile last month").sql
    assert "t.channel = ?" in sql and "city" not in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "Which channel does CUST00000044 shop through most often?",
        "which channel does CUST00000044 use most frequently",
    ],
)
def test_most_often_ranks_by_number_of_transactions(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert (
        "t.channel AS channel" in c.sql and "transaction_count DESC" in c.sql and "merchant_name" not in c.sql
    )


def test_does_she_shop_is_the_verb_not_the_merchant(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "which merchant category does CUST00000120 shop most often").sql
    assert "category_name" in sql and "merchant_name" not in sql, sql


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("How many customers have never bought anything?", "p.total_transactions = 0"),
        ("How many customers have never had an approved transaction?", "p.total_transactions = 0"),
        ("customers inactive for at least 75 days", "p.days_since_last_transaction >= ?"),
        ("which customers haven't made a purchase in 40 days or more", "p.days_since_last_transaction >= ?"),
        ("customers with no purchases in over 60 days", "p.days_since_last_transaction > ?"),
        ("which customers haven't lapsed", "NOT (p.customer_status = 'Lapsed')"),
        ("which customers are worth more than $200k", "p.lifetime_value > ?"),
    ],
)
def test_vocabulary_of_conditions(compiler_only: LocalAnalyst, question: str, where: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert where in sql, sql


@pytest.mark.parametrize(
    ("question", "limit"),
    [
        ("Which 5 lapsed customers were worth the most?", 5),
        ("Of the at-risk customers, which 3 are worth the most?", 3),
    ],
)
def test_which_n_counts_the_rows_named(compiler_only: LocalAnalyst, question: str, limit: int) -> None:
    sql = compiled(compiler_only, question).sql
    assert "ORDER BY p.lifetime_value DESC" in sql and sql.rstrip().endswith(f"LIMIT {limit}"), sql


def test_a_limit_before_the_last_change_shows_the_limit_now_and_the_date(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "What was CUST00000191's credit limit before his last change?").sql
    for column in ("previous_credit_limit", "credit_limit", "last_card_change_date"):
        assert f"p.{column} AS {column}" in sql, sql
    assert "AVG(" not in sql


def test_at_their_last_change_restates_the_change(compiler_only: LocalAnalyst) -> None:
    sql = compiled(
        compiler_only, "Which Standard cardholders had their credit limit raised at their latest change?"
    ).sql
    assert "p.credit_limit > p.previous_credit_limit" in sql and "p.card_type = ?" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "How many times has CUST00000191's credit limit changed?",
        "how many times has CUST00000044's card or limit changed, and what's his limit now?",
    ],
)
def test_times_a_card_changed_are_not_transactions(compiler_only: LocalAnalyst, question: str) -> None:
    result = turn(compiler_only, question)
    assert result.compiled is None or "total_transactions" not in result.compiled.sql


def test_times_declined_are_still_transactions(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "how many times has CUST00000044 been declined").sql
    assert "COUNT(" in sql and "t.status = ?" in sql, sql


@pytest.mark.parametrize(
    ("question", "op"),
    [
        ("Which customers are using more than half of their credit limit?", ">"),
        ("customers using less than half of their limit", "<"),
    ],
)
def test_half_of_a_column_is_fifty_percent_of_it(compiler_only: LocalAnalyst, question: str, op: str) -> None:
    c = compiled(compiler_only, question)
    assert f"p.credit_utilization_pct {op} ?" in c.sql and 50.0 in c.params, (c.sql, c.params)
    assert "p.credit_limit AS credit_limit" in c.sql


def test_half_of_no_comparison_is_not_read(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "what is half of the total spend").refusal is not None


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("When did CUST00000030 step up to Premium?", "premium_upgrade_date"),
        ("when did CUST00000042 move up to premium", "premium_upgrade_date"),
        ("CUST00000120's segment and the rule that put them there", "segment_rule"),
    ],
)
def test_one_customers_column_in_other_words(compiler_only: LocalAnalyst, question: str, column: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert f"{column} AS {column}" in sql and "customer_id = ?" in sql, sql


def test_longest_standing_is_tenure_longest_first(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "the 5 longest-standing Premium cardholders").sql
    assert "ORDER BY p.tenure_months DESC" in sql and sql.rstrip().endswith("LIMIT 5"), sql


def test_what_a_list_is_for_is_left_out(compiler_only: LocalAnalyst) -> None:
    result = turn(
        compiler_only, "How many Texas customers hold a Standard card? That's our upgrade target list."
    )
    assert result.compiled is not None and "p.card_type = ?" in result.compiled.sql
    assert turn(compiler_only, "How many Texas customers hold a Standard card? That's not my list.").refusal


@pytest.mark.parametrize(
    "question",
    [
        "what's CUST00000044's credit limit and how much of it does he use",
        "how much of his credit limit is CUST00000044 using",
    ],
)
def test_how_much_of_it_one_customer_uses_is_the_declared_ratio(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert (
        "p.credit_limit AS credit_limit" in sql
        and "p.credit_utilization_pct AS credit_utilization_pct" in sql
    )


def test_how_much_of_their_limit_a_group_uses_is_not_read(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "how much of their credit limit do Premium customers use").refusal is not None
