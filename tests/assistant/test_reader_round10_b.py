"""Round ten (reader b): each class pinned on paraphrases of our own that appear in no evaluation set. The same
classes with hand-written reference SQL run on the platform: paraphrases/round10_reader_b.yaml (test_platform.py).

- docs/metrics.md, card type: a transaction figure split by card type (or cut to "Premium cards") uses the card
  each transaction was made on (the card history's version, fct_transactions.customer_key); customer figures and
  customer filters ("Premium cardholders") use the card held today; the answer says which.
- band lists with open ends: "under 25k, 25-50k, ..., 100k and over", "less than 30, ..., 55 or older"."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    "question",
    [
        "how much was spent on each card type in October 2026",
        "decline rate split by card tier",
        "transaction count per card type over the last 30 days",
        "avg purchase amount per card type",
        "spend in 2026 broken out by card type",
        "share of September 2026 spend by card type",
    ],
)
def test_transaction_figures_split_by_card_type_use_the_card_of_each_transaction(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "FCT_TRANSACTIONS" in c.sql and "dc.card_type" in c.sql and "p.card_type" not in c.sql, c.sql
    assert "ON t.customer_key = dc.customer_key" in c.sql, c.sql
    assert any("each transaction was made on" in t for t in c.told), c.told


@pytest.mark.parametrize(
    "question",
    [
        "average purchase size on Premium cards",
        "how many transactions were made with a Standard card in September 2026",
        "decline rate for Standard cards last month",
    ],
)
def test_a_condition_on_the_cards_themselves_is_the_card_of_each_transaction(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "dc.card_type = ?" in c.sql and "p.card_type" not in c.sql, c.sql
    assert any("each transaction was made on" in t for t in c.told), c.told


@pytest.mark.parametrize(
    "question",
    [
        "what did Premium cardholders spend in total last month",
        "average transaction value of our Standard customers",
        "Premium customers' transaction count in 2026",
    ],
)
def test_cardholders_are_the_customers_holding_the_card_today(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "p.card_type = ?" in c.sql and "DIM_CUSTOMER" not in c.sql, c.sql
    assert any("card type today" in t for t in c.told), c.told


@pytest.mark.parametrize(
    "question",
    [
        "number of active customers in each churn risk category broken out by card type",
        "average lifetime value per card type",
        "how many High-Value Travelers are on a Standard card",
        "count of customers who transacted in 2026 by card type",
    ],
)
def test_customer_figures_split_by_card_type_use_the_card_held_today(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "p.card_type" in sql and "DIM_CUSTOMER" not in sql, sql


def test_the_card_held_at_the_transaction_named_outright(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "total spend per card type held at the time of each purchase, last 90 days")
    assert "dc.card_type" in c.sql and "p.card_type" not in c.sql, c.sql
    refused = turn(compiler_only, "customers by card type held at the time of the transaction")
    assert refused.refusal is not None and "hold today" in refused.refusal.reason, refused.refusal


@pytest.mark.parametrize(
    ("question", "labels", "column"),
    [
        (
            "how many customers fall in each LTV band: below 20k, 20-60k, 60k or more",
            ["under 20k", "20-60k", "60k+"],
            "lifetime_value",
        ),
        (
            "average churn score per age group: less than 35, 35-54, 55 and up",
            ["under 35", "35-54", "55+"],
            "age",
        ),
        (
            "customer count by credit limit bracket under 10k, 10-25k, 25k and above",
            ["under 10k", "10-25k", "25k+"],
            "credit_limit",
        ),
    ],
)
def test_band_lists_with_open_ends_and_a_shared_unit(
    compiler_only: LocalAnalyst, question: str, labels: list[str], column: str
) -> None:
    c = compiled(compiler_only, question)
    assert all(label in c.params for label in labels), c.params
    assert f"p.{column} < ?" in c.sql and f"p.{column} >= ?" in c.sql, c.sql
    if column != "age":  # "20-60k" is 20,000 to 60,000: the unit written once belongs to both numbers
        assert 20000.0 in c.params or 10000.0 in c.params, c.params
        assert 20.0 not in c.params and 10.0 not in c.params, c.params


@pytest.mark.parametrize(
    "question",
    [
        "average purchase amount by the card type customers hold today",
        "spend in 2026 by current card type",
        "Premium vs Standard cardholders: spend in September 2026",
    ],
)
def test_the_card_held_today_named_outright_keeps_todays_card(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "p.card_type" in c.sql and "DIM_CUSTOMER" not in c.sql, c.sql
