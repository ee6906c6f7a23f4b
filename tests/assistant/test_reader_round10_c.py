"""Round ten (reader c): each class pinned on paraphrases of our own that appear in no evaluation set. The same
classes with hand-written reference SQL run on the platform: paraphrases/round10_reader_c.yaml (test_platform.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from c360.assistant import zero_rows
from c360.assistant.local import LocalAnalyst
from c360.assistant.model import SemanticModel
from tests.assistant.test_compiler import compiled, turn

PERSON = "customer_360_profile"


# --- card and credit-limit history
@pytest.mark.parametrize(
    "question",
    [
        "List every card version of CUST00000089 with the dates",
        "CUST00000144's card history, with dates please",
        "show the card history of CUST00000300 (every card and limit, with dates)",
    ],
)
def test_a_history_with_the_dates_is_each_versions_own_dates(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "FROM GOLD.DIM_CUSTOMER" in c.sql and "dc.valid_from" in c.sql and "dc.valid_to" in c.sql
    assert "transaction_date" not in c.sql


@pytest.mark.parametrize(
    "question",
    [
        "did CUST00000191's credit limit change? what was it before?",
        "Has the credit line of CUST00000300 changed? What was it before?",
        "did CUST00000123's limit change, and what was it before?",
    ],
)
def test_has_it_changed_and_what_was_it_before_is_the_latest_change(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "FROM GOLD.CUSTOMER_360_PROFILE" in c.sql and "DIM_CUSTOMER" not in c.sql
    assert all(col in c.sql for col in ("previous_credit_limit", "p.credit_limit", "last_card_change_date"))


def test_a_history_asked_by_name_keeps_every_version(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "CUST00000123's limit history and her limit before the last change")
    assert "FROM GOLD.DIM_CUSTOMER" in c.sql


def test_before_of_a_column_with_no_earlier_value_stays_unread(compiler_only: LocalAnalyst) -> None:
    refusal = turn(compiler_only, "has CUST00000123's churn score changed? what was it before?").refusal
    assert refusal is not None and "before" in str(refusal)


@pytest.mark.parametrize(
    "question",
    [
        "what share of cardholders have had at least 1 card or credit limit change",
        "What percent of customers had at least one card or limit change?",
    ],
)
def test_at_least_one_event_is_the_named_filter(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert "last_card_change_date IS NULL" in c.sql and ">=" not in c.sql


def test_at_least_two_changes_is_not_the_filter(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "how many customers had at least 2 card or limit changes").refusal is not None


# --- the row that holds an extreme across customers
@pytest.mark.parametrize(
    "question",
    [
        "Which customer made the single biggest purchase in 2025?",
        "what client had the smallest transaction last month?",
        "which cardholder made the largest transaction on record",
    ],
)
def test_which_customer_made_the_largest_transaction_is_that_transaction(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "FROM GOLD.FCT_TRANSACTIONS" in c.sql and "t.transaction_amount" in c.sql
    assert "p.full_name" in c.sql and "approved" in c.params


def test_which_customer_has_the_largest_limit_stays_on_the_customer(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "which customer has the largest credit limit")
    assert "FROM GOLD.CUSTOMER_360_PROFILE" in c.sql and "FCT_TRANSACTIONS" not in c.sql


# --- one named customer's count or sum with no rows is 0
@pytest.mark.parametrize(
    "question",
    [
        "how many purchases did CUST00000029 make in March 2025?",
        "total spent by CUST00000065 in March 2025",
        "How much has CUST00000029 spent on Airlines in the last 30 days?",
        "how many times was CUST00000029 declined in the last 6 months",
    ],
)
def test_a_count_or_sum_of_one_customer_answers_zero(
    compiler_only: LocalAnalyst, model: SemanticModel, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.compiled is not None and result.query is not None
    zero = zero_rows.plan(result.query, result.compiled, model, PERSON)
    assert zero is not None and "WHERE customer_id = ?" in zero.sql and zero.params[0].startswith("CUST")
    found = pd.DataFrame([{"customer_id": zero.params[0], "full_name": "Ann L."}])
    row = zero.frame(found).iloc[0]
    assert all(row[m] == 0 for m in zero.measures)


@pytest.mark.parametrize(
    "question",
    [
        "average transaction amount for CUST00000029 in March 2025",  # an average of nothing is not 0
        "how many purchases did customers make in March 2025",  # no one customer named
        "how many purchases did CUST00000029 make per month in 2025",  # grouped
    ],
)
def test_no_zero_for_averages_or_without_one_customer(
    compiler_only: LocalAnalyst, model: SemanticModel, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.compiled is not None and result.query is not None
    assert zero_rows.plan(result.query, result.compiled, model, PERSON) is None


# --- a campaign group as a customer filter, with the band's score
@pytest.mark.parametrize(
    ("question", "group", "band"),
    [
        ("which customers in the control grp are at medium risk? show score", "control", "Medium Risk"),
        ("treatment group customers at high risk, with score", "treatment", "High Risk"),
    ],
)
def test_a_campaign_group_lists_its_customers_with_the_score(
    compiler_only: LocalAnalyst, question: str, group: str, band: str
) -> None:
    c = compiled(compiler_only, question)
    assert "p.campaign_group = ?" in c.sql and "p.churn_risk_score AS" in c.sql
    assert group in c.params and band in c.params


def test_a_bare_score_elsewhere_stays_unread(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "average score of high risk customers").refusal is not None


# --- a customer's top spending categories rank by spend
@pytest.mark.parametrize(
    "question",
    ["top 3 spending categories for CUST00000321", "CUST00000500's 4 biggest spend categories in 2026"],
)
def test_top_spending_categories_of_a_customer_rank_by_spend(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "ORDER BY total_spend DESC" in c.sql and "active_customer_count" not in c.sql


def test_an_id_is_never_rows_to_count(compiler_only: LocalAnalyst) -> None:
    result = turn(compiler_only, "Top 5 categories for CUST00000042")
    assert result.compiled is None or "active_customer_count" not in result.compiled.sql


def test_a_measure_named_after_the_group_still_ranks(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "top 3 spend categories for CUST00000321 by number of transactions")
    assert "ORDER BY transaction_count DESC" in c.sql
