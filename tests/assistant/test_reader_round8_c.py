"""Round eight (reader c): each class pinned on paraphrases of our own that appear in no evaluation set. The
same classes with hand-written reference SQL run on the platform: paraphrases/round8_reader_c.yaml
(test_platform.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from c360.assistant.answer import summarize
from c360.assistant.compiler import OutputColumn
from c360.assistant.local import LocalAnalyst
from c360.assistant.model import SemanticModel
from tests.assistant.conftest import analyst_seeing_names
from tests.assistant.test_compiler import compiled, turn


def _shown(model: SemanticModel, as_of_date: date) -> LocalAnalyst:
    shown = [
        ("Ryan M.", "CUST00000501"),
        ("Elizabeth F.", "CUST00000502"),
        ("Kevin B.", "CUST00000503"),
        ("Ann B.", "CUST00000504"),
        ("Ann B.", "CUST00000505"),
    ]
    return analyst_seeing_names(model, as_of_date, shown)


# ---- one named customer ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("Ryan M.'s top category", "CUST00000501"),
        (
            "Ryan M's top category",
            "CUST00000501",
        ),  # 'Ms' is Mississippi's code too: the initial wins after a name
        ("what's elizabeth F's lifetime value", "CUST00000502"),
        ("elizabeth f.'s churn score", "CUST00000502"),
        ("kevin b's credit limit", "CUST00000503"),
    ],
)
def test_an_initial_with_a_possessive_is_the_customer(
    model: SemanticModel, as_of_date: date, question: str, key: str
) -> None:
    c = compiled(_shown(model, as_of_date), question)
    assert key in c.params, (c.sql, c.params)


def test_a_possessive_initial_of_two_customers_is_refused(model: SemanticModel, as_of_date: date) -> None:
    assert turn(_shown(model, as_of_date), "Ann B's lifetime value").refusal is not None


@pytest.mark.parametrize(
    "question",
    [
        "what % of Elizabeth F.'s spend goes to travel",
        "what share of elizabeth F's spending is on travel",
        "share of Elizabeth F.'s spend on travel",
        "what percent of Elizabeth F.'s spend went to travel last month",
    ],
)
def test_a_share_of_one_customers_spend_is_of_that_customers_spend(
    model: SemanticModel, as_of_date: date, question: str
) -> None:
    c = compiled(_shown(model, as_of_date), question)
    where = c.sql.split(" WHERE ", 1)[1] if " WHERE " in c.sql else ""
    assert "t.customer_id = ?" in where, c.sql  # the whole is hers, not everyone's
    numerator = c.sql.split("/", 1)[0]
    assert "is_travel" in numerator and "customer_id = ?" not in numerator, c.sql


def test_a_share_of_everyones_spend_from_one_customer_stays_their_part(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "what share of total spend came from CUST00000042")
    assert "WHERE" not in c.sql and "customer_id = ?" in c.sql.split("/", 1)[0], c.sql


@pytest.mark.parametrize(
    ("question", "columns"),
    [
        (
            "When did Kevin B. open his account, and how many months ago is that?",
            ["account_open_date", "tenure_months"],
        ),
        (
            "when was kevin b's last purchase and how long ago was that",
            ["last_transaction_date", "days_since_last_transaction"],
        ),
        ("days since Kevin B.'s last purchase", ["days_since_last_transaction"]),
    ],
)
def test_an_event_asked_when_and_how_long_ago_shows_both(
    model: SemanticModel, as_of_date: date, question: str, columns: list[str]
) -> None:
    c = compiled(_shown(model, as_of_date), question)
    shown = [o.name for o in c.columns]
    assert all(col in shown for col in columns), shown
    assert [shown.index(col) for col in columns] == sorted(shown.index(col) for col in columns), shown


@pytest.mark.parametrize(
    "question",
    ["how many times has Kevin B. been declined", "How many times did kevin b get declined this year?"],
)
def test_how_many_times_counts_the_attempts(model: SemanticModel, as_of_date: date, question: str) -> None:
    c = compiled(_shown(model, as_of_date), question)
    assert "COUNT(*)" in c.sql and "declined" in c.params and "CUST00000503" in c.params, (c.sql, c.params)


def test_times_as_a_multiplier_is_not_transactions(compiler_only: LocalAnalyst) -> None:
    assert (
        turn(compiler_only, "how many times more likely are Premium customers to lapse").refusal is not None
    )


@pytest.mark.parametrize(
    "question",
    [
        "How much did Kevin B. put on travel in the last 90 days?",
        "how much has kevin b put on groceries this year",
    ],
)
def test_money_put_on_something_is_spend(model: SemanticModel, as_of_date: date, question: str) -> None:
    c = compiled(_shown(model, as_of_date), question)
    assert "t.is_approved THEN t.transaction_amount" in c.sql and "CUST00000503" in c.params, c.sql


@pytest.mark.parametrize(
    "question",
    [
        "Kevin B. month-over-month spend change for Jun, Jul and Aug",
        "kevin b's monthly spend for June, July and August",
        "total spend in Jun, Jul and Aug 2026 by channel",
    ],
)
def test_three_listed_months_are_one_window(model: SemanticModel, as_of_date: date, question: str) -> None:
    c = compiled(_shown(model, as_of_date), question)
    assert date(2026, 6, 1) in c.params and date(2026, 9, 1) in c.params, (c.sql, c.params)


@pytest.mark.parametrize(
    "question", ["total spend in September and October", "total spend in June, August and September"]
)
def test_two_months_or_months_with_a_gap_stay_two_windows(compiler_only: LocalAnalyst, question: str) -> None:
    assert turn(compiler_only, question).refusal is not None


def test_recent_transactions_show_each_merchants_category(model: SemanticModel, as_of_date: date) -> None:
    c = compiled(_shown(model, as_of_date), "show me Kevin B's 10 most recent transactions")
    assert "category_name" in [o.name for o in c.columns] and "LIMIT 10" in c.sql, c.sql


# ---- lists of customers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "op"),
    [
        ("Illinois customers spending more than $4k a month", ">"),
        ("cardholders in Ohio spending less than $500 a month", "<"),
        ("customers spending more than $5,000 a month in Texas", ">"),
    ],
)
def test_spending_more_than_an_amount_a_month_is_a_comparison(
    compiler_only: LocalAnalyst, question: str, op: str
) -> None:
    c = compiled(compiler_only, question)
    assert f"p.avg_monthly_spend {op} ?" in c.sql and "spend_change_pct" not in c.sql, c.sql
    assert "avg_monthly_spend" in [o.name for o in c.columns]


def test_spending_more_alone_is_still_the_named_filter(compiler_only: LocalAnalyst) -> None:
    assert "spend_change_pct > 0" in compiled(compiler_only, "customers spending more").sql


@pytest.mark.parametrize(
    "question",
    [
        "List New & Growing customers in the West who are still on Standard cards",
        "Budget-Conscious customers in Ohio",
        "which Declining customers hold a Premium card",
    ],
)
def test_a_segment_listing_shows_the_monthly_spend_it_is_cut_from(
    compiler_only: LocalAnalyst, question: str
) -> None:
    names = [o.name for o in compiled(compiler_only, question).columns]
    assert {"customer_id", "full_name", "customer_segment", "avg_monthly_spend"} <= set(names), names


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("Where are our at-risk customers concentrated? By region", "region"),
        ("where are lapsed customers concentrated by state", "state"),
        ("which segments are High Risk customers concentrated in", "customer_segment"),
    ],
)
def test_where_rows_are_concentrated_is_a_count_per_group(
    compiler_only: LocalAnalyst, question: str, column: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert f"GROUP BY p.{column}" in sql and "COUNT(DISTINCT p.customer_id)" in sql, sql


# ---- the biggest purchases; rankings from the lowest ------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "What was Kevin B.'s biggest purchase?",
        "the 3 largest purchases kevin b has made",
        "CUST00000042's largest transaction ever",
        "smallest and largest purchases on record for CUST00000042",
    ],
)
def test_the_biggest_purchases_are_approved_ones(
    model: SemanticModel, as_of_date: date, question: str
) -> None:
    c = compiled(_shown(model, as_of_date), question)
    assert "t.status = ?" in c.sql and "approved" in c.params, (c.sql, c.params)


@pytest.mark.parametrize(
    "question", ["the largest declined transaction in 2026", "CUST00000042's biggest declined transaction"]
)
def test_a_status_named_keeps_its_own_rows(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)  # the rows' size, never the largest count of declines
    assert "declined" in c.params and "approved" not in c.params and "FCT_TRANSACTIONS" in c.sql, (
        c.sql,
        c.params,
    )


def _groups(values: list[float]) -> tuple[pd.DataFrame, list[OutputColumn]]:
    frame = pd.DataFrame(
        {"region": ["South", "Midwest", "West"][: len(values)], "avg_churn_risk_score": values}
    )
    columns = [
        OutputColumn("region", "dimension", "customer_360_profile.region", "region", "text"),
        OutputColumn("avg_churn_risk_score", "measure", "m", "average churn risk score", "number"),
    ]
    return frame, columns


def test_a_ranking_from_the_lowest_is_never_called_the_highest() -> None:
    frame, columns = _groups([9.1, 10.4, 12.0])
    text = summarize(frame, columns, mode="aggregate", ascending=True)
    assert text.startswith("South has the lowest average churn risk score (9.1)"), text
    assert "highest" not in text and "up to West (12)" in text, text
    two = summarize(frame.head(2), columns, mode="aggregate", ascending=True)
    assert two.startswith("South has the lowest") and "highest" not in two and "higher" not in two, two
    assert "has the highest" in summarize(frame, columns, mode="aggregate"), (
        "a ranking from the top unchanged"
    )


@pytest.mark.parametrize(
    "question",
    [
        "bottom 3 regions by average churn score",
        "which 3 segments have the least spend in the last 90 days",
        "the 2 card types with the lowest average credit limit",
    ],
)
def test_bottom_rankings_are_read_from_the_lowest(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert " ASC" in c.sql.split("ORDER BY", 1)[1], c.sql


@pytest.mark.parametrize(
    "question",
    ["Kevin B.'s spend in 2025 vs 2026", "kevin b's number of transactions in October vs November"],
)
def test_one_customers_periods_side_by_side_are_a_row_per_period(
    model: SemanticModel, as_of_date: date, question: str
) -> None:
    c = compiled(_shown(model, as_of_date), question)
    assert "UNION ALL" in c.sql and c.columns[0].name == "period_start", c.sql
    assert "CUST00000503" in c.params


def test_groups_over_two_periods_stay_one_row_per_group(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "total spend by region in 2025 vs 2026")
    assert "UNION ALL" not in c.sql and "region" in [o.name for o in c.columns], c.sql
