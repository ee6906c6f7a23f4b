"""Round eight (reader d): each class pinned on paraphrases of our own that appear in no evaluation set. The same
classes with hand-written reference SQL run on the platform: paraphrases/round8_reader_d.yaml (test_platform.py);
a masked name beside an id is pinned here on a name index of its own (names differ per platform)."""

from __future__ import annotations

from datetime import date

import pytest

from c360.assistant.local import LocalAnalyst
from c360.assistant.model import SemanticModel
from c360.assistant.text import tokenize
from tests.assistant.conftest import analyst_seeing_names
from tests.assistant.test_compiler import compiled, turn


def _shown(model: SemanticModel, as_of_date: date) -> LocalAnalyst:
    shown = [
        ("Charles M.", "CUST00000611"),
        ("Charles M.", "CUST00001880"),
        ("Janet M.", "CUST00000151"),
        ("Janet M.", "CUST00000844"),
        ("Janet M.", "CUST00001528"),
        ("Kendra O.", "CUST00001231"),
        ("Stacy R.", "CUST00000918"),
        ("Stacy R.", "CUST00001308"),
        ("Ann B.", "CUST00000403"),
    ]
    return analyst_seeing_names(model, as_of_date, shown)


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("What's the churn risk for Charles M., CUST00000611?", "CUST00000611"),
        ("Charles M. (CUST00001880) - lifetime value?", "CUST00001880"),
        ("How long has Janet M. (CUST00000844) been with us?", "CUST00000844"),
        ("how many of Stacy R.'s (CUST00001308) transactions were declined", "CUST00001308"),
        ("What's Janet M.'s credit limit? (CUST00001528)", "CUST00001528"),
        ("Kendra O. CUST00001231 total spend", "CUST00001231"),
    ],
)
def test_an_id_beside_a_masked_name_settles_which_customer(
    model: SemanticModel, as_of_date: date, question: str, key: str
) -> None:
    c = compiled(_shown(model, as_of_date), question)
    assert c.params.count(key) >= 1 and not any(p for p in c.params if str(p).startswith("CUST") and p != key)


@pytest.mark.parametrize(
    "question",
    [
        "What's the churn risk for Charles M., CUST00000612?",  # not one of the two Charles M.
        "Kendra O. (CUST00000611) lifetime value",  # the one Kendra O. is someone else
        "Charles M. lifetime value",  # no id: still two customers
        "Charles M. vs CUST00000611 and CUST00001880 lifetime value",  # two ids: not settled
    ],
)
def test_an_id_that_is_none_of_the_customers_shown_so_is_refused(
    model: SemanticModel, as_of_date: date, question: str
) -> None:
    refusal = turn(_shown(model, as_of_date), question).refusal
    assert refusal is not None


def test_the_refusal_says_the_id_is_not_the_name(model: SemanticModel, as_of_date: date) -> None:
    refusal = turn(_shown(model, as_of_date), "Kendra O. (CUST00000611) lifetime value").refusal
    assert refusal is not None and "CUST00000611 is not the customer shown to you as 'Kendra O.'" in str(
        refusal
    )


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("whats the churn score for cust 611", "CUST00000611"),
        ("customer #1231 - lifetime value?", "CUST00001231"),
        ("what's the credit limit on customer id 844", "CUST00000844"),
        ("cust no. 403 avg monthly spend", "CUST00000403"),
        ("cust 1308 - spend last 30d?", "CUST00001308"),
    ],
)
def test_a_short_id_is_the_customer_with_that_key(
    model: SemanticModel, as_of_date: date, question: str, key: str
) -> None:
    c = compiled(_shown(model, as_of_date), question)
    assert key in c.params, (c.sql, c.params)


def test_a_short_id_no_customer_has_is_refused(model: SemanticModel, as_of_date: date) -> None:
    refusal = turn(_shown(model, as_of_date), "lifetime value for cust 99999").refusal
    assert refusal is not None and "CUST00099999" in str(refusal)


@pytest.mark.parametrize(
    "question",
    ["Customer 360 lifetime value by region", "top cust 10 by lifetime value", "cust 30 days spend"],
)
def test_a_number_after_customer_that_is_no_short_id_is_left_alone(
    model: SemanticModel, as_of_date: date, question: str
) -> None:
    result = turn(_shown(model, as_of_date), question)
    assert result.compiled is None or not any(str(p).startswith("CUST") for p in result.compiled.params)


def test_one_customers_aggregate_shows_the_id_and_the_name(compiler_only: LocalAnalyst) -> None:
    for question in ("How much has CUST00000042 spent in total?", "CUST00000042's spend in the last 90 days"):
        sql = compiled(compiler_only, question).sql
        assert "customer_id AS customer_id" in sql and "p.full_name AS full_name" in sql, sql


@pytest.mark.parametrize(
    "question",
    ["Is CUST00000042 likely to churn?", "how likely is cust 42 to churn", "Will CUST00000042 churn?"],
)
def test_likely_to_churn_about_one_customer_shows_the_models_outputs(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    for column in ("churn_probability", "churn_risk_category", "predicted_churn"):
        assert f"p.{column}" in sql, sql
    assert "WHERE p.customer_id = ?" in sql and "churn_risk_category IN" not in sql, sql


@pytest.mark.parametrize(
    "question", ["how likely are Premium customers to churn", "Will Premium customers churn?"]
)
def test_likely_to_churn_about_a_group_is_not_read_as_one_customer(
    compiler_only: LocalAnalyst, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.compiled is None or "customer_id = ?" not in result.compiled.sql


def test_he_or_she_with_no_one_named_is_refused(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "and what's his lifetime value?").refusal is not None
    assert turn(compiler_only, "what is her credit limit").refusal is not None
    c = compiled(
        compiler_only, "and what's her lifetime value?", "What's the churn risk score for CUST00000044?"
    )
    assert "customer_id = ?" in c.sql and "CUST00000044" in c.params
    # 'their' stays a group's: answered
    compiled(compiler_only, "and their average lifetime value?", "how many customers in each segment")


@pytest.mark.parametrize(
    "question",
    [
        "What percent of at-risk customers sit in the Declining segment?",
        "what share of Premium customers live in the West",
        "what % of lapsed customers belong to the Declining segment?",
    ],
)
def test_a_percent_of_a_group_in_another_is_the_part_within_the_first(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    head, _, where = sql.partition(" WHERE ")
    assert "COUNT(DISTINCT CASE WHEN" in head and where, sql  # the first group filters the whole


@pytest.mark.parametrize(
    ("question", "part"),
    [
        ("hw many ppl r in the new & growing segmnt?", "customer_segment = ?"),
        ("how many custs have churn prob > 0.7", "churn_probability > ?"),
        ("avg LTV by card typ?", "card_type"),
        ("How many customers upgraded to Premium during 2026?", "premium_upgrade_date >= ?"),
        ("How many lapsed customers are there in each region? Thinking about a win-back push.", "region"),
        ("Prepping the board deck - average credit limit by card type", "card_type"),
    ],
)
def test_casual_words_and_a_why_clause_read_through_the_general_rules(
    compiler_only: LocalAnalyst, question: str, part: str
) -> None:
    assert part in compiled(compiler_only, question).sql


def test_during_is_in_only_before_a_period() -> None:
    assert [t.norm for t in tokenize("spend during Q3 2026")][:2] == ["spend", "in"]
    assert "during" in [t.norm for t in tokenize("spend during the campaign")]
    assert [t.norm for t in tokenize("last 30d")] == ["last", "30", "days"]


@pytest.mark.parametrize(
    "followup",
    [
        "break that down by card type",
        "split it by card type",
        "split by card type",
        "can you break it down by card type?",
    ],
)
def test_dividing_a_trend_keeps_its_months_and_adds_the_group(
    compiler_only: LocalAnalyst, followup: str
) -> None:
    sql = compiled(compiler_only, followup, "total spend by month in 2026").sql
    # round 9: a trend split by card type is split by the card version each transaction was made on
    assert "DATE_TRUNC('month'" in sql and "dc.card_type" in sql.split("GROUP BY")[-1], sql
    assert "transaction_amount" in sql, sql


def test_dividing_a_listing_counts_its_rows_per_group_and_a_ranked_one_shows_the_group(
    compiler_only: LocalAnalyst,
) -> None:
    sql = compiled(compiler_only, "break them down by segment", "lapsed customers").sql
    assert "COUNT(DISTINCT p.customer_id)" in sql and "GROUP BY p.customer_segment" in sql and "Lapsed" in sql
    top = compiled(compiler_only, "split by region", "top 10 customers by lifetime value").sql
    assert "LIMIT 10" in top and "p.region AS region" in top and "GROUP BY" not in top, top


@pytest.mark.parametrize(
    "question",
    [
        "On average how many purchases did Premium customers make in the last 30 days?",
        "on average, how many transactions does a Standard customer make?",
        "how many purchases did lapsed customers make on average",
    ],
)
def test_on_average_over_a_count_is_refused_not_answered_with_the_total(
    compiler_only: LocalAnalyst, question: str
) -> None:
    assert turn(compiler_only, question).refusal is not None


def test_on_average_with_an_average_measure_is_answered(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "on average what is the credit limit by card type").sql
    assert "AVG(p.credit_limit)" in sql, sql
    assert (
        turn(compiler_only, "lifetime value of Premium customers on average").refusal is not None
    )  # no list
