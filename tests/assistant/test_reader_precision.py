"""Round four of issue 15 (after blind v3): precision classes found on spent sets, each pinned on paraphrases
of our own that appear in no evaluation set — a number before the rows' noun is a count of rows, a 'which'
question with a superlative asks for the row that holds the extreme, ..."""

from __future__ import annotations

from datetime import date

import pytest

from c360.assistant.local import LocalAnalyst
from c360.assistant.timeframe import add_months, month_label, month_start
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    "question",
    [
        "Which region has the highest average churn score, among regions with at least 100 customers?",
        "states with more than 40 customers by average credit limit",
        "which segment has the lowest average LTV among segments with over 200 customers",
    ],
)
def test_a_number_before_the_rows_noun_is_never_read_as_their_age(
    compiler_only: LocalAnalyst, question: str
) -> None:
    """'at least 50 customers' counts rows (a minimum group size), it is not 'customers aged 50 or more'."""
    result = turn(compiler_only, question)
    assert result.refusal is not None or "p.age" not in result.compiled.sql, result.compiled.sql  # type: ignore[union-attr]


@pytest.mark.parametrize("question", ["customers over 70", "how many customers are older than 65"])
def test_an_age_after_the_rows_noun_is_still_read(compiler_only: LocalAnalyst, question: str) -> None:
    assert "p.age >" in compiled(compiler_only, question).sql


@pytest.mark.parametrize(
    ("question", "earlier", "direction"),
    [
        ("Which Premium cardholder has the lowest credit limit?", (), "ASC"),
        ("which Budget-Conscious customer has the highest lifetime value", (), "DESC"),
        ("which of them has the highest churn score?", ("High Risk customers in Ohio",), "DESC"),
    ],
)
def test_which_with_a_superlative_is_the_row_holding_the_extreme(
    compiler_only: LocalAnalyst, question: str, earlier: tuple[str, ...], direction: str
) -> None:
    sql = compiled(compiler_only, question, *earlier).sql
    assert sql.startswith("SELECT p.customer_id"), sql  # the row, not MIN()/MAX() of the column
    assert f"ORDER BY v {direction} LIMIT 1) AS top_k" in sql or sql.endswith(
        f"{direction}, p.customer_id LIMIT 1"
    ), sql


@pytest.mark.parametrize(
    "question", ["what is the highest credit limit", "what is the lowest lifetime value"]
)
def test_what_with_a_superlative_is_still_the_extreme_value(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert sql.startswith("SELECT MAX(") or sql.startswith("SELECT MIN("), sql


@pytest.mark.parametrize(
    ("question", "earlier", "column"),
    [
        ("what's her credit limit?", ("show the profile of CUST00000005",), "p.credit_limit"),
        ("and when did they last make a purchase?", ("look up CUST00000009",), "p.last_transaction_date"),
        (
            "which segment is she in, and when did she last transact?",
            ("profile of CUST00000011",),
            "p.customer_segment",
        ),
    ],
)
def test_a_persons_pronoun_after_a_lookup_is_that_customer(
    compiler_only: LocalAnalyst, question: str, earlier: tuple[str, ...], column: str
) -> None:
    """'what's their churn risk?' after one customer was looked up: that customer's own columns, never an
    average over the customer, never the previous answer repeated."""
    c = compiled(compiler_only, question, *earlier)
    key = earlier[0].split()[-1]
    assert column in c.sql and key in c.params and "AVG(" not in c.sql, c.sql
    if "transact" in question:
        assert "p.last_transaction_date" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "earlier"),
    [
        ("how many purchases did they make last month, and for how much?", ("profile of CUST00000005",)),
        ("How many transactions were declined in 2025 and how much?", ()),
        (
            "How many customers shopped at Costco last month, and how many of them are Premium cardholders?",
            (),
        ),
        ("how many customers are High Risk, and how many of those are retired?", ()),
    ],
)
def test_a_second_question_the_reading_leaves_out_is_refused(
    compiler_only: LocalAnalyst, question: str, earlier: tuple[str, ...]
) -> None:
    assert turn(compiler_only, question, *earlier).refusal is not None


@pytest.mark.parametrize(
    ("question", "months"),
    [
        ("total spend by month for the last 4 months", 4),
        ("online spend by month in the last 3 months", 3),
        ("Dining spend for each of the last 2 months", 2),
        ("spending trends in travel over the last 6 months", 6),  # a trend is the same series
        ("how has online spend trended over the last 4 months", 4),
    ],
)
def test_a_monthly_series_over_the_last_n_months_is_whole_months(
    compiler_only: LocalAnalyst, as_of_date: date, question: str, months: int
) -> None:
    """A rolling window would cut the first month short and include the as-of date's own month: neither is
    a month of the series. The answer says how the window was read."""
    result = turn(compiler_only, question)
    assert result.compiled is not None, result.refusal
    params = [str(p) for p in result.compiled.params]
    end = month_start(as_of_date)
    assert str(add_months(end, -months)) in params and str(end) in params, result.compiled.display_sql()
    notes = " ".join(result.query.notes)  # type: ignore[union-attr]
    # the label names the last month counted, never the exclusive end ("to 2026-12-01" read as December)
    assert "complete months" in notes and month_label(add_months(end, -1)) in notes and str(end) not in notes


def test_a_plain_total_keeps_the_rolling_window(compiler_only: LocalAnalyst, as_of_date: date) -> None:
    for question in ("total spend in the last 3 months", "how many transactions in the last 2 months"):
        params = [str(p) for p in compiled(compiler_only, question).params]
        assert str(month_start(as_of_date)) not in params, (question, params)


@pytest.mark.parametrize(
    ("question", "extreme"),
    [
        ("highest lifetime value in each region", "MAX(p.lifetime_value)"),
        ("lowest credit limit per card type", "MIN(p.credit_limit)"),
    ],
)
def test_the_extreme_of_a_column_in_each_group(
    compiler_only: LocalAnalyst, question: str, extreme: str
) -> None:
    """'the highest LTV in each state' is the largest value within every state, not the average by state."""
    sql = compiled(compiler_only, question).sql
    assert extreme in sql and "AVG(" not in sql and "LIMIT" not in sql, sql


@pytest.mark.parametrize(
    ("question", "partition", "per"),
    [
        ("which customer has the highest credit limit in each state", "state", 1),
        ("the top 2 merchants per channel by spend", "channel", 2),
        ("the most common category in every region", "region", 1),
        ("the biggest spender in each segment", "customer_segment", 1),
    ],
)
def test_the_top_rows_within_each_group_restart_in_every_group(
    compiler_only: LocalAnalyst, question: str, partition: str, per: int
) -> None:
    """Never one ranking over all groups (the overall top 2 for 'top 2 merchants per channel'): the ranking
    restarts in every group, ties broken by the ranked rows' own values."""
    sql = compiled(compiler_only, question).sql
    assert f"QUALIFY ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY" in sql, sql
    assert sql.count(f") <= {per} ORDER BY {partition} ASC") == 1, sql


@pytest.mark.parametrize(
    "question",
    [
        "the top 3 months by spend in each channel",  # a time grain inside the groups
        "top 2 segments and regions by LTV per state",  # two ranked groupings
    ],
)
def test_a_ranking_within_groups_it_cannot_order_is_refused(
    compiler_only: LocalAnalyst, question: str
) -> None:
    refusal = turn(compiler_only, question).refusal
    assert refusal is not None, compiled(compiler_only, question).sql


def test_per_customer_is_still_an_average(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "which segment has the highest average spend per customer").sql
    assert "AVG(p.avg_monthly_spend)" in sql and "LIMIT 1" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "How many transactions over 500 were declined in 2025?",
        "how many purchases above $1,000 were made online last month",
        "How many transactions over $300 did Premium cardholders make in 2025?",
    ],
)
def test_rows_over_an_amount_compare_their_own_size(compiler_only: LocalAnalyst, question: str) -> None:
    """'transactions over 500' are transactions of more than 500 dollars, not customers with 500 transactions."""
    sql = compiled(compiler_only, question).sql
    assert "t.transaction_amount > ?" in sql and "total_transactions" not in sql, sql


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("customers with more than 20 transactions", "p.total_transactions > ?"),
        ("customers over 70", "p.age > ?"),
        ("Give me customers with over $150k lifetime value", "p.lifetime_value > ?"),
    ],
)
def test_counts_ages_and_named_measures_keep_their_columns(
    compiler_only: LocalAnalyst, question: str, column: str
) -> None:
    assert column in compiled(compiler_only, question).sql


@pytest.mark.parametrize(
    "question",
    ["Which segment spends the most on travel?", "which region spent the most on groceries last month"],
)
def test_spends_the_most_on_a_place_ranks_by_the_spend(compiler_only: LocalAnalyst, question: str) -> None:
    """Not by the number of customers who bought there (it had ranked by active customers: wrong)."""
    sql = compiled(compiler_only, question).sql
    assert "ORDER BY total_spend DESC" in sql and "active_customer_count" not in sql, sql


def test_a_column_named_with_their_is_shown_not_grouped(compiler_only: LocalAnalyst) -> None:
    """'the top 10 customers by spend ... with their segment': per customer, the segment beside each."""
    sql = compiled(compiler_only, "show the top 5 customers by lifetime value with their state").sql
    assert "p.customer_id" in sql and "p.state" in sql and "LIMIT 5" in sql, sql
    sql = compiled(
        compiler_only, "List the top 10 customers by spend in the last 90 days with their segment"
    ).sql
    assert "GROUP BY p.customer_id, p.full_name, p.customer_segment" in sql and "LIMIT 10" in sql, sql


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("I'm preparing the spring review - how many Premium cardholders are in Ohio?", "p.card_type = ?"),
        ("Top 5 High Risk customers by LTV - we are reviewing accounts this week", "LIMIT 5"),
        ("Our team is brainstorming. What is the average credit limit by segment?", "AVG(p.credit_limit)"),
    ],
)
def test_first_person_context_clauses_are_left_out_and_said(
    compiler_only: LocalAnalyst, question: str, fragment: str
) -> None:
    result = turn(compiler_only, question)
    assert result.compiled is not None and fragment in result.compiled.sql, result.refusal
    assert any("I left out" in n for n in result.query.notes)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "question",
    [
        "I want to target Budget-Conscious customers in Ohio. Who are they?",  # the clause names the rows
        "Show Premium cardholders - we never mail inactive ones",  # a negation may be a condition
        "Show Premium cardholders - I'm excluding those under 3 years of tenure",  # a number may be a condition
        "Premium cardholders, the ones we target",  # not set off as a clause
    ],
)
def test_clauses_that_may_carry_the_question_are_never_left_out(
    compiler_only: LocalAnalyst, question: str
) -> None:
    assert turn(compiler_only, question).refusal is not None


def test_customer_base_is_the_customers(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "what share of our customer base is retired").sql
    assert "100.0 * COUNT(DISTINCT CASE WHEN (p.employment_status = ?)" in sql, sql


def test_riskiest_first_is_an_order_of_every_row(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "Premium cardholders in Ohio, riskiest first").sql
    assert "ORDER BY p.churn_risk_score DESC" in sql and sql.endswith("LIMIT 10000"), sql


def test_the_most_at_risk_customer_is_one_row_with_ties(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "who is the most at-risk customer in Texas?").sql
    assert "ORDER BY v DESC LIMIT 1) AS top_k" in sql and "p.churn_risk_score" in sql, sql


def test_a_number_in_a_second_sentence_cuts_the_ranking_of_the_first(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "Which customers are most likely to churn? Give me the top 15.").sql
    assert "ORDER BY p.churn_risk_score DESC" in sql and sql.endswith("LIMIT 15"), sql


@pytest.mark.parametrize(
    ("question", "read_as"),
    [("How many acounts were opened in 2025?", "account"), ("total spend by chanel in 2025", "channel")],
)
def test_a_double_letter_slip_breaks_a_tie_between_corrections(
    compiler_only: LocalAnalyst, question: str, read_as: str
) -> None:
    result = turn(compiler_only, question)
    assert result.query is not None, result.refusal
    assert any(f"as '{read_as}" in n for n in result.query.notes), result.query.notes


def test_is_it_significant_after_a_measure_shows_the_flag(compiler_only: LocalAnalyst) -> None:
    """'..., and is it statistically significant?' asks about the lift: the flag is shown, never a filter
    (a filter would answer the lift only when it is significant, or nothing)."""
    sql = compiled(compiler_only, "What was the campaign lift, and is it statistically significant?").sql
    assert "cp.is_lift_significant AS is_lift_significant" in sql and "WHERE" not in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "What percent of total spend goes to travel?",
        "how much total credit limit have we extended to Premium cardholders",
    ],
)
def test_everyday_verbs_of_no_meaning_are_read_past(compiler_only: LocalAnalyst, question: str) -> None:
    assert compiled(compiler_only, question).sql


@pytest.mark.parametrize(
    ("question", "value", "group"),
    [
        ("High Risk share by region", "p.churn_risk_category = ?", "p.region"),
        ("Premium share in each state", "p.card_type = ?", "p.state"),
        ("retired rate by segment", "p.employment_status = ?", "p.customer_segment"),
    ],
)
def test_a_value_share_by_a_group_is_that_values_share_within_each_group(
    compiler_only: LocalAnalyst, question: str, value: str, group: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert (
        f"COUNT(DISTINCT CASE WHEN ({value})" in sql and f"GROUP BY {group}" in sql and "WHERE" not in sql
    ), sql


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("CUST00000005 spend in the last 30 days?", "SUM(p.spend_last_30_days)"),
        ("CUST00000005's number of transactions in 2025", "approved_transactions"),
    ],
)
def test_a_measure_of_one_customer_without_a_verb(
    compiler_only: LocalAnalyst, question: str, fragment: str
) -> None:
    c = compiled(compiler_only, question)
    assert fragment in c.sql and "CUST00000005" in c.params, c.sql


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("average transaction amount since the start of the year", "year"),
        ("spend by channel since the beginning of this month", "month"),
    ],
)
def test_since_the_start_of_a_period(
    compiler_only: LocalAnalyst, as_of_date: date, question: str, unit: str
) -> None:
    start = date(as_of_date.year, 1, 1) if unit == "year" else month_start(as_of_date)
    assert start in compiled(compiler_only, question).params


@pytest.mark.parametrize(
    ("question", "column", "claim"),
    [
        ("Are unemployed customers riskier than employed ones?", "AVG(p.churn_risk_score)", True),
        ("are retired customers safer than self-employed ones", "AVG(p.churn_risk_score)", False),
        ("Are Premium cardholders more valuable than Standard ones?", "AVG(p.lifetime_value)", True),
    ],
)
def test_a_comparative_that_names_its_column_is_a_grouped_comparison(
    compiler_only: LocalAnalyst, question: str, column: str, claim: bool
) -> None:
    result = turn(compiler_only, question)
    assert result.compiled is not None and column in result.compiled.sql, result.refusal
    assert result.query is not None and result.query.claim is not None and result.query.claim[1] is claim


@pytest.mark.parametrize(
    "question",
    [
        "how many customers are in their segment?",
        "what's the average LTV of customers in her state?",
        "how many customers are like them?",
    ],
)
def test_other_customers_described_through_the_looked_up_one_are_refused(
    compiler_only: LocalAnalyst, question: str
) -> None:
    """A carried key would count the one customer (1) or drop 'their' (every state): refused instead."""
    assert turn(compiler_only, question, "profile of CUST00000005").refusal is not None


@pytest.mark.parametrize(
    "question",
    [
        "is she a Premium cardholder?",
        "how long has she been a customer?",
        "is he one of our high-value customers?",
    ],
)
def test_questions_about_the_looked_up_customer_are_still_answered(
    compiler_only: LocalAnalyst, question: str
) -> None:
    assert "CUST00000005" in compiled(compiler_only, question, "profile of CUST00000005").params


@pytest.mark.parametrize(
    "question",
    [
        "What is the most common card type among customers in Florida?",
        "what's the most popular category for Premium cardholders",
        "which state has the most customers among retirees",
    ],
)
def test_the_most_common_singular_group_is_one_row(compiler_only: LocalAnalyst, question: str) -> None:
    assert compiled(compiler_only, question).sql.endswith("LIMIT 1")


def test_the_most_popular_plural_groups_keep_their_rows(compiler_only: LocalAnalyst) -> None:
    for question in (
        "what are the most popular categories",
        "which states have the most customers among retirees",
    ):
        assert "LIMIT 1" not in compiled(compiler_only, question).sql, question


def test_a_true_false_group_is_said_as_yes_or_no() -> None:
    import pandas as pd

    from c360.assistant.answer import _shown

    assert _shown(False, "is lift significant") == "is lift significant: no"
    assert (
        _shown(pd.Series([True]).iloc[0], "is lift significant") == "is lift significant: yes"
    )  # numpy bool
    assert _shown("Premium", "card type") == "Premium"


# ---- round five (after blind v4): paraphrases of our own ------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("top 3 Standard cardholders in Ohio by credit limit", "p.credit_limit"),
        ("top 10 High Risk Standard cardholders in the West by lifetime value", "p.lifetime_value"),
    ],
)
def test_top_n_rows_named_by_values_then_by_a_measure_list_the_rows(
    compiler_only: LocalAnalyst, question: str, column: str
) -> None:
    """'top N <value> <rows> in <place> by <measure>': the rows ranked by the measure, never a count of them."""
    sql = compiled(compiler_only, question).sql
    assert sql.startswith("SELECT p.customer_id") and "COUNT(" not in sql, sql
    assert f"ORDER BY {column} DESC" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "how much of all lifetime value do the top 50 customers hold?",
        "share of total spend from our 100 biggest customers",
        "top 4 Standard cardholders in Texas",
    ],
)
def test_a_limit_never_cuts_an_ungrouped_aggregate(compiler_only: LocalAnalyst, question: str) -> None:
    """A top-N subset's share (or count) is not the aggregate of every row with a LIMIT on its one row."""
    result = turn(compiler_only, question)
    if result.refusal is None:
        assert result.compiled is not None
        assert " LIMIT " not in result.compiled.sql or "GROUP BY" in result.compiled.sql, result.compiled.sql


@pytest.mark.parametrize(
    "question",
    [
        "how many customers had over 2 declines in the past 60 days?",
        "list customers with at least 5 declined transactions since the start of the year",
        "customers with more than 20 transactions in the last 30 days",
    ],
)
def test_a_lifetime_count_is_never_compared_within_a_period(
    compiler_only: LocalAnalyst, question: str
) -> None:
    """The profile's declined/total transaction counts are lifetime sums: within a period they are refused."""
    result = turn(compiler_only, question)
    if result.refusal is None:
        assert result.compiled is not None
        sql = result.compiled.sql
        assert "p.declined_transactions" not in sql and "p.total_transactions" not in sql, sql


def test_a_lifetime_count_without_a_period_is_still_compared(compiler_only: LocalAnalyst) -> None:
    assert "p.declined_transactions > ?" in compiled(compiler_only, "customers with over 4 declines").sql


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("which customer has the lowest credit limit, and how much is it?", "p.credit_limit AS credit_limit"),
        ("what did the campaign cost and how much incremental revenue came from it?", "incremental_revenue"),
    ],
)
def test_a_second_clause_asking_for_a_shown_measure_is_answered(
    compiler_only: LocalAnalyst, question: str, expected: str
) -> None:
    assert expected in compiled(compiler_only, question).sql


@pytest.mark.parametrize(
    "question",
    [
        "how many Premium customers are there, and how much is it?",
        "how many transactions were declined last month, and for how much?",
    ],
)
def test_a_second_clause_the_reading_drops_is_still_refused(
    compiler_only: LocalAnalyst, question: str
) -> None:
    assert turn(compiler_only, question).refusal is not None


def test_top_n_rows_named_by_joined_values_are_never_counted(compiler_only: LocalAnalyst) -> None:
    """'top 3 <rows> in Ohio and Texas by <measure>': the rows ranked (or refused), never a count per state."""
    result = turn(compiler_only, "top 3 Standard cardholders in Ohio and Texas by lifetime value")
    if result.refusal is None:
        assert result.compiled is not None
        assert "COUNT(" not in result.compiled.sql, result.compiled.sql


def test_a_correctly_spelled_word_is_never_corrected_into_another(compiler_only: LocalAnalyst) -> None:
    """'actually' is two edits from 'annually': an English word the reader does not know is not a typo (it
    is a filler word here, left out); a real typo is still corrected and said."""
    result = turn(compiler_only, "what is the campaign roi, actually?")
    assert result.refusal is None and "annually" not in " ".join(result.query.notes)  # type: ignore[union-attr]
    typo = turn(compiler_only, "how many custmers are in each segmnet?")
    assert typo.refusal is None
    assert "I read 'segmnet' as 'segment'" in " ".join(typo.query.notes)  # type: ignore[union-attr]
