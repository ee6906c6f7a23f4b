"""Round seven (reader b): each class pinned on paraphrases of our own that appear in no evaluation set. The
same classes with hand-written reference SQL run on the platform: paraphrases/round7_reader_b.yaml
(test_platform.py)."""

from __future__ import annotations

from datetime import date

import pytest

from c360.assistant.local import LocalAnalyst
from c360.assistant.model import SemanticModel
from tests.assistant.conftest import analyst_seeing_names
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    "question",
    [
        "How many customers made at least one approved purchase in the last 60 days?",
        "number of cardholders with at least 1 transaction in the past 14 days",
        "how many customers bought something at least once last month",
        "count of Premium customers with one or more purchases in the last 30 days",
    ],
)
def test_at_least_one_row_is_the_presence_of_activity(compiler_only: LocalAnalyst, question: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert (
        "COUNT(DISTINCT CASE WHEN t.is_approved THEN t.customer_id END)" in sql
        or "approved_transactions > 0" in sql
    ), sql
    assert ">= ?" not in sql.split("WHERE")[-1].replace("t.transaction_date >= ?", "").replace(
        "mm.month >= ?", ""
    ), sql


def test_at_least_one_before_a_non_row_stays_a_comparison(compiler_only: LocalAnalyst) -> None:
    for question in (
        "customers with at least 1 transaction",
        "how many customers have at least one transaction?",
    ):
        c = compiled(compiler_only, question)  # no window: the lifetime count compared with one
        assert "p.total_transactions >= ?" in c.sql and 1 in c.params, c.sql


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("How are our customers distributed across segments?", "customer_segment"),
        ("how are cardholders spread across regions", "region"),
        ("How do customers break down by card type?", "card_type"),
        ("how are the High Risk customers distributed by state", "state"),
        ("customers split by employment status", "employment_status"),
    ],
)
def test_a_distribution_verb_counts_the_rows_per_group(
    compiler_only: LocalAnalyst, question: str, column: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert f"GROUP BY p.{column}" in sql and "COUNT(DISTINCT p.customer_id)" in sql, sql


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("Compare credit limit across card types (average per customer)", "AVG(p.credit_limit)"),
        ("compare churn score by region, average per customer", "AVG(p.churn_risk_score)"),
        ("lifetime value by segment (avg per customer)", "AVG(p.lifetime_value)"),
        ("age by region - median", "MEDIAN(p.age)"),
    ],
)
def test_an_aggregation_restated_after_the_measure_applies_to_it(
    compiler_only: LocalAnalyst, question: str, metric: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert metric in sql.replace("QUANTILE_CONT(p.age, 0.5)", "MEDIAN(p.age)"), sql
    assert "customer_id AS customer_id" not in sql, sql  # "per customer" is not a grouping


def test_a_restated_aggregation_with_two_measures_before_it_is_refused(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "credit limit and lifetime value by segment (average per customer)").refusal


@pytest.mark.parametrize(
    ("question", "excluded"),
    [
        (
            "Which 5 merchant categories had the most spend in October 2026? Ignore uncategorized transactions.",
            "mc.category_name <> ?",
        ),
        (
            "average lifetime value by segment, leaving out lapsed customers",
            "NOT (p.customer_status = 'Lapsed')",
        ),
        ("How many customers are there per state, ignoring Texas?", "p.state <> ?"),
        ("total spend by region not counting Premium cardholders", "p.card_type <> ?"),
        ("average churn score by segment, disregarding the West", "p.region <> ?"),
    ],
)
def test_ignore_and_leave_out_exclude(compiler_only: LocalAnalyst, question: str, excluded: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert excluded in sql or excluded.replace("<> ?", "NOT IN") in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "Break down the last 90 days' spend by category group",
        "break down last month's spend by channel",
        "break down this year's spending by region",
    ],
)
def test_a_breakdown_of_a_periods_spend_is_the_spend_not_a_count(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "customer_count" not in sql and "SUM(" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "break down the last 30 days' spend by category group with each group's share of the total",
        "spend in October 2026 by channel with each group's share of the total",
        "Which employment status group has the highest avg churn score?",
        "the age group with the most customers by region",
    ],
)
def test_group_beside_a_grouping_is_not_the_campaign_group(
    compiler_only: LocalAnalyst, question: str
) -> None:
    result = turn(compiler_only, question)
    if "age group" in question:
        assert result.refusal is not None  # no age-group column: still unread, never the campaign's groups
        return
    assert result.compiled is not None, result.refusal
    assert "campaign_group" not in result.compiled.sql, result.compiled.sql


def test_the_campaign_group_word_still_means_it_in_a_campaign_question(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "Is CUST00000021 in the retention campaign, and which group is he in?").sql
    assert "campaign_group" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "How many customers had a credit limit change in 2026?",
        "number of customers whose credit limit changed this year",
        "list the Premium customers who had a limit change in the last 6 months",
        "which customers have had their credit limit changed",
    ],
)
def test_a_limit_change_of_many_customers_is_the_change_filter(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "NOT p.last_card_change_date IS NULL" in sql, sql
    assert "FCT_TRANSACTIONS" not in sql and "METRIC_MOM" not in sql, sql  # never active customers
    if "2026" in question or "this year" in question or "6 months" in question:
        assert "p.last_card_change_date >= ?" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "How many customers had a credit limit change in 2025?",
        "how many customers had a limit change last month",
    ],
)
def test_a_count_of_limit_changes_in_a_closed_period_counts_card_versions(
    compiler_only: LocalAnalyst, question: str
) -> None:
    # round 8 (reader a): the card versions dated in the period, not the latest change date
    sql = compiled(compiler_only, question).sql
    assert "FROM GOLD.DIM_CUSTOMER" in sql and "dc.customer_version > 1" in sql, sql
    assert "dc.valid_from >= ?" in sql and "dc.valid_from < ?" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "customers whose limit changed in Q3 2026",
        "how many Premium customers had a limit change in 2025",
        "how many customers had their credit limit raised in 2025?",
    ],
)
def test_a_limit_change_in_a_closed_period_is_refused_with_the_reason(
    compiler_only: LocalAnalyst, question: str
) -> None:
    refusal = turn(compiler_only, question).refusal
    assert refusal is not None and "latest card or credit-limit change" in refusal.reason, refusal


def test_an_upgrade_or_a_limit_change_in_a_year_is_on_the_change_dates(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "customers who upgraded their card or had a limit change in 2026").sql
    assert "NOT p.premium_upgrade_date IS NULL" in sql and "NOT p.last_card_change_date IS NULL" in sql, sql
    assert " OR " in sql and "p.last_card_change_date >= ?" in sql, sql


def test_one_customers_limit_changes_stay_the_card_history(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "show CUST00000005's credit limit changes").sql
    assert "DIM_CUSTOMER" in sql, sql


@pytest.mark.parametrize(
    ("question", "op", "value"),
    [
        ("How many customers with a credit limit above $40k are using more than 30% of it?", ">", 30),
        ("how many customers use more than 40% of their credit limit", ">", 40),
        ("customers using at least 25% of their credit limit", ">=", 25),
        ("count cardholders using under 5% of the credit limit", "<", 5),
    ],
)
def test_a_percentage_of_the_credit_limit_is_utilization(
    compiler_only: LocalAnalyst, question: str, op: str, value: float
) -> None:
    result = turn(compiler_only, question)
    assert result.compiled is not None, result.refusal
    assert f"p.credit_utilization_pct {op} ?" in result.compiled.sql and value in result.compiled.params
    limits = [p for p in result.compiled.params if p != value]  # only the "$40k" limit, never the percentage
    where = result.compiled.sql.split(" WHERE ", 1)[1]  # a listing shows the limit beside its ratio (round 9)
    assert ("p.credit_limit" in where) == bool(limits) and all(p >= 1000 for p in limits), (
        result.compiled.sql,
        result.compiled.params,
    )
    assert any("no statement balances" in n for n in result.query.notes)  # type: ignore[union-attr]


def test_a_percentage_of_a_column_without_a_ratio_is_refused(compiler_only: LocalAnalyst) -> None:
    refusal = turn(compiler_only, "customers spending more than 10% of their lifetime value").refusal
    assert refusal is not None


@pytest.mark.parametrize(
    "question",
    ["How many customers have a balance above 30% of their credit limit?", "customers carrying a balance"],
)
def test_balances_stay_unavailable(compiler_only: LocalAnalyst, question: str) -> None:
    refusal = turn(compiler_only, question).refusal
    assert refusal is not None and refusal.kind == "unavailable", refusal


def _shown(model: SemanticModel, as_of_date: date) -> LocalAnalyst:
    shown = [
        ("Joe W.", "CUST00000401"),
        ("Sheena J.", "CUST00000402"),
        ("Ann B.", "CUST00000403"),
        ("Ann B.", "CUST00000404"),
    ]
    return analyst_seeing_names(model, as_of_date, shown)


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("joe w. - whats his lifetime value?", "CUST00000401"),
        ("sheena j. which segment is she in", "CUST00000402"),
        ("churn score for joe w", "CUST00000401"),
        ("what's the credit limit of sheena j.?", "CUST00000402"),
    ],
)
def test_a_lower_case_first_name_and_initial_is_the_customer(
    model: SemanticModel, as_of_date: date, question: str, key: str
) -> None:
    c = compiled(_shown(model, as_of_date), question)
    assert key in c.params, (c.sql, c.params)


def test_a_lower_case_name_of_two_customers_or_of_nobody_is_refused(
    model: SemanticModel, as_of_date: date
) -> None:
    analyst = _shown(model, as_of_date)
    assert turn(analyst, "ann b. lifetime value").refusal is not None
    assert turn(analyst, "bob k. lifetime value").refusal is not None


@pytest.mark.parametrize(
    "question",
    [
        "What was the biggest purchase CUST00000222 ever made - when, where and how much?",
        "CUST00000222's largest transaction: when and where?",
        "the smallest purchase of CUST00000222 - where and how much",
    ],
)
def test_a_closing_when_where_how_much_about_a_listed_row_is_its_listing(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "FROM GOLD.FCT_TRANSACTIONS" in sql and "t.merchant_name" in sql and "t.transaction_date" in sql, (
        sql
    )


def test_a_closing_when_where_not_answered_by_a_listing_is_refused(compiler_only: LocalAnalyst) -> None:
    refusal = turn(compiler_only, "CUST00000310's most recent transaction: when and where?").refusal
    assert refusal is not None and "when and where" in refusal.reason


@pytest.mark.parametrize(
    "question",
    [
        "Show CUST00000112's spend month by month for the last 6 months",
        "CUST00000112's spend by month over the last 6 months",
        "monthly spend of CUST00000112 for the last 6 months",
    ],
)
def test_one_customers_spend_month_by_month(compiler_only: LocalAnalyst, question: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "METRIC_MOM_SPEND_CHANGE" in sql and "CUST00000112" in compiled(compiler_only, question).params, (
        sql
    )


@pytest.mark.parametrize(
    ("question", "earlier", "expected"),
    [
        ("Same thing but only for Texas", "How many customers do we have in each segment?", "p.state = ?"),
        ("same but for Premium cardholders", "average LTV by region", "p.card_type = ?"),
        ("do the same for the last 90 days", "total spend by channel last month", "t.transaction_date >= ?"),
        ("ok, same question for the Midwest", "average churn score by segment", "p.region = ?"),
    ],
)
def test_same_thing_opens_a_follow_up(
    compiler_only: LocalAnalyst, question: str, earlier: str, expected: str
) -> None:
    c = compiled(compiler_only, question, earlier)
    assert expected in c.sql and "GROUP BY" in c.sql, c.sql


def test_same_inside_a_question_is_not_a_follow_up(compiler_only: LocalAnalyst) -> None:
    assert (
        turn(compiler_only, "how many customers are in the same segment as CUST00000042").refusal is not None
    )


@pytest.mark.parametrize(
    "question",
    [
        "how many customers had a declined transaction last month?",
        "number of customers with at least one declined transaction in the last 30 days",
        "how many customers made a declined purchase in the past 2 weeks",
        "how many cardholders had declines this year",
    ],
)
def test_customers_with_declined_transactions_are_counted_by_them(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "COUNT(DISTINCT CASE WHEN NOT t.is_approved THEN t.customer_id END)" in sql, sql
    assert "approved_transactions > 0" not in sql and "WHEN t.is_approved THEN t.customer_id" not in sql, sql


def test_customers_and_declines_asked_apart_stay_two_measures(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "how many customers and how many declined transactions last month").sql
    assert "declined_customer_count" not in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "How many distinct customers made a purchase in the last 14 days?",
        "number of unique customers with a transaction in the last 7 days",
        "how many different cardholders bought something last month",
    ],
)
def test_distinct_customers_are_the_customers(compiler_only: LocalAnalyst, question: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "customer_id END)" in sql, sql


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("Which High-Value Travelers in California have a Standard card?", "p.customer_segment"),
        ("which Declining in Texas are High Risk?", "p.customer_segment"),
        ("show the High Risk with a credit limit over $20k", "p.churn_risk_category"),
    ],
)
def test_a_customer_group_named_by_its_value_is_the_rows_listed(
    compiler_only: LocalAnalyst, question: str, column: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert sql.startswith("SELECT p.customer_id AS customer_id") and f"{column} = ?" in sql, sql


@pytest.mark.parametrize(
    ("question", "days"),
    [
        ("how many customers spent nothing in the last 30 days?", 30),
        ("list Premium customers who bought nothing in the past 45 days", 45),
        ("customers that have spent nothing for 60 days", 60),
    ],
)
def test_spent_nothing_in_n_days_is_inactivity(compiler_only: LocalAnalyst, question: str, days: int) -> None:
    c = compiled(compiler_only, question)
    assert "p.days_since_last_transaction > ?" in c.sql and days in c.params, c.sql


@pytest.mark.parametrize(
    "question",
    [
        "Which merchant took the most spend in October 2026?",
        "which category received the most spend last month",
        "which channel captured the most spend this year",
    ],
)
def test_verbs_of_taking_spend_are_fillers(compiler_only: LocalAnalyst, question: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "SUM(CASE WHEN t.is_approved THEN t.transaction_amount" in sql and "LIMIT 1" in sql, sql


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("What's the average number of approved transactions per customer?", "AVG(p.total_transactions)"),
        ("median number of purchases per cardholder", "MEDIAN(p.total_transactions)"),
        ("average number of transactions per customer by segment", "AVG(p.total_transactions)"),
    ],
)
def test_an_aggregate_of_each_customers_count(
    compiler_only: LocalAnalyst, question: str, column: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert column in sql and "SUM(p.total_transactions)" not in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "average number of declined transactions per customer",  # the lifetime column counts approved ones
        "average number of transactions per customer last month",  # the column is lifetime
        "average number of categories per customer",
    ],
)
def test_an_aggregate_of_a_count_the_profile_does_not_keep_is_refused(
    compiler_only: LocalAnalyst, question: str
) -> None:
    assert turn(compiler_only, question).refusal is not None
