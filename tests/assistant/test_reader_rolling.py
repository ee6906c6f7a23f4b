"""Round seven: a rolling window against the window before it ("the last 90 days vs the 90 days before"),
pinned on paraphrases of our own that appear in no evaluation set (reader: reading/rolling.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "where"),
    [
        (
            "how many customers' spend dropped by over 25% in the last 90 days vs the 90 days before",
            "p.spend_change_pct < ?",
        ),
        (
            "count of premium customers whose spending fell more than 40% last 90 days compared to the previous 90 days",
            "p.spend_change_pct < ?",
        ),
        (
            "number of customers whose spend rose by at least 50% versus the prior 90 days",
            "p.spend_change_pct >= ?",
        ),
        (
            "How many Declining customers increased their spending in the past 90 days against the preceding 90 days?",
            "(p.spend_change_pct > 0)",
        ),
        (
            "list Texas customers with declining spend in the last 90 days over the previous 90",
            "(p.spend_change_pct < 0)",
        ),
    ],
)
def test_the_stored_90_day_change_reads_the_window_before_as_its_own_definition(
    compiler_only: LocalAnalyst, question: str, where: str
) -> None:
    c = compiled(compiler_only, question)
    assert where in c.sql and "FCT_TRANSACTIONS" not in c.sql, c.sql
    query = turn(compiler_only, question).query
    assert query is not None and any("the profile's spend change" in n for n in query.notes), query


@pytest.mark.parametrize(
    ("question", "window"),
    [
        ("list Texas customers with declining spend over the previous 90 days", "the last 90 days"),
        ("total spend over the previous 30 days", "the last 30 days"),
    ],
)
def test_over_the_previous_n_days_alone_is_that_window(
    compiler_only: LocalAnalyst, question: str, window: str
) -> None:
    query = turn(compiler_only, question).query
    assert query is not None and not query.periods and query.window is not None, query
    assert query.window.label == window


@pytest.mark.parametrize(
    "question",
    [
        "top 5 customers by dollar increase, last 90 days vs the 90 days before",
        "Which accounts increased spending the most? Give me the top 8 by dollar increase vs the prior 90 days",
    ],
)
def test_a_dollar_change_is_last_90_days_minus_the_90_days_before(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "ORDER BY p.spend_last_90_days - p.spend_prior_90_days DESC" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "days"),
    [
        ("total spend in the last 30 days vs the 30 days before", 30),
        ("number of transactions in the past 90 days compared with the previous 90 days", 90),
        ("avg transaction value last 60 days versus the prior period", 60),
        ("spend for CUST00000042 in the last 90 days vs the 90 days before", 90),
        ("how much did Premium cardholders spend in the last 45 days relative to the preceding 45 days", 45),
    ],
)
def test_any_other_measure_of_a_rolling_window_is_two_periods_side_by_side(
    compiler_only: LocalAnalyst, as_of_date: date, question: str, days: int
) -> None:
    compiled(compiler_only, question)
    query = turn(compiler_only, question).query
    assert query is not None
    prior, last = query.periods
    assert (prior.start, prior.end) == (as_of_date - timedelta(2 * days), as_of_date - timedelta(days))
    assert (last.start, last.end) == (as_of_date - timedelta(days), None)


@pytest.mark.parametrize(
    "question",
    [
        "total spend last 90 days vs the 30 days before",  # windows of different lengths
        "spend in March 2026 vs the 90 days before",  # not a rolling window
        # each row's change of a window the profile does not store (the 90-day one is read: test_reader_round8_a)
        "how many customers spent less in the last 30 days than in the prior 30 days",
        "how many customers' spend fell by more than 30% in the last 30 days vs the 30 days before",  # not stored
        "spend by month in the last 90 days vs the previous 90 days",  # a series
        # not read yet (docs/assistant.md, Known limits): refused rather than ranked by total spend
        "which High Risk customers grew their spend, last 90 days vs the 90 days prior",
        "who grew their spend the most - top 5 by dollar change",
        "which 5 accounts grew their spend the most, last 90 days compared to the prior 90 days?",
        "which 10 customers had the biggest dollar change in spend compared with the previous 90 days",
        "rank customers by change in dollars, last 90 days versus prior 90 days, top 3",
    ],
)
def test_a_window_before_that_cannot_be_read_exactly_is_refused(
    compiler_only: LocalAnalyst, question: str
) -> None:
    assert turn(compiler_only, question).refusal is not None


@pytest.mark.parametrize(
    ("question", "grain", "count"),
    [
        ("Which month in the last 12 had the highest total spend?", "month", 12),
        ("which week of the past 8 had the most transactions", "week", 8),
        ("which quarter in the last 4 had the lowest average transaction value", "quarter", 4),
        ("which month had the highest spend in the last 12", "month", 12),
        ("which day had the most declined transactions over the past 14", "day", 14),
    ],
)
def test_a_period_count_after_its_unit_noun_is_that_many_periods(
    compiler_only: LocalAnalyst, question: str, grain: str, count: int
) -> None:
    c = compiled(compiler_only, question)
    assert f"DATE_TRUNC('{grain}'" in c.sql and "LIMIT 1" in c.sql, c.sql
    query = turn(compiler_only, question).query
    assert query is not None and query.window is not None
    whole = "" if grain == "day" else "complete "  # days are whole already: a rolling window of them
    assert f"the last {count} {whole}{grain}s" in query.window.label, query.window.label


@pytest.mark.parametrize("question", ["how many customers in the last 12", "total spend in the last 30"])
def test_a_count_without_a_unit_anywhere_is_still_refused(compiler_only: LocalAnalyst, question: str) -> None:
    assert turn(compiler_only, question).refusal is not None


def test_a_rolling_window_and_the_one_before_are_one_row_with_each_window_a_column(
    compiler_only: LocalAnalyst,
) -> None:
    c = compiled(
        compiler_only, "spend in the last 90 days vs the 90 days before that, across the whole portfolio"
    )
    assert "UNION ALL" not in c.sql and "period_start" not in c.sql, c.sql
    assert "total_spend_change_pct" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "by"),
    [
        ("Which 10 customers increased their spending the most, last 90 days vs the previous 90?", "amount"),
        ("who increased spending the most in the last 90 days versus the 90 days before", "amount"),
        ("top 10 customers by spend change %, last 90 days vs the 90 days before", "pct"),  # the % named
        ("Which customers increased spending the most?", "pct"),  # no windows named: the stored % change
    ],
)
def test_increased_the_most_between_two_named_windows_is_the_dollar_change(
    compiler_only: LocalAnalyst, question: str, by: str
) -> None:
    c = compiled(compiler_only, question)
    amount = "ORDER BY p.spend_last_90_days - p.spend_prior_90_days DESC"
    assert (amount in c.sql) == (by == "amount") and ("ORDER BY p.spend_change_pct DESC" in c.sql) == (
        by == "pct"
    )


@pytest.mark.parametrize(
    ("question", "group", "direction"),
    [
        (
            "Which region saw the biggest drop in total spend, last 90 days compared with the prior 90 days?",
            "p.region",
            "ASC",
        ),
        (
            "which card types grew their spend the most, last 30 days vs the 30 days before",
            "dc.card_type",  # each transaction's card (docs/metrics.md)
            "DESC",
        ),
        (
            "which segment had the largest fall in the number of transactions in the past 60 days versus the previous 60 days",
            "p.customer_segment",
            "ASC",
        ),
    ],
)
def test_the_groups_change_between_two_rolling_windows_is_ranked_by_the_change(
    compiler_only: LocalAnalyst, question: str, group: str, direction: str
) -> None:
    c = compiled(compiler_only, question)
    assert f"{group} AS" in c.sql and "_change_pct" in c.sql, c.sql
    assert f"_change {direction}" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "earlier", "later"),
    [
        ("total spend last month compared with the month before", date(2026, 8, 1), date(2026, 9, 1)),
        ("number of transactions last month vs the previous month", date(2026, 8, 1), date(2026, 9, 1)),
        ("avg transaction value in March 2026 versus the month before", date(2026, 2, 1), date(2026, 3, 1)),
        ("spend in Q2 2026 compared to the prior quarter", date(2026, 1, 1), date(2026, 4, 1)),
        (
            "Which category had the biggest drop in spend last month compared with the month before?",
            date(2026, 8, 1),
            date(2026, 9, 1),
        ),
    ],
)
def test_a_calendar_period_against_the_one_before_is_two_periods_side_by_side(
    compiler_only: LocalAnalyst, question: str, earlier: date, later: date
) -> None:
    compiled(compiler_only, question)
    query = turn(compiler_only, question).query
    assert query is not None and [p.start for p in query.periods] == [earlier, later], query


@pytest.mark.parametrize(
    "question",
    ["spend in the last 30 days vs the previous month", "spend last month vs the previous quarter"],
)
def test_a_calendar_period_before_a_window_of_another_kind_is_refused(
    compiler_only: LocalAnalyst, question: str
) -> None:
    assert turn(compiler_only, question).refusal is not None


@pytest.mark.parametrize(
    "question",
    [
        "How did CUST00000112's spend in the last 90 days compare to the 90 days before? give me the % change",
        "total spend last 30 days vs the 30 days before, percent change",
        "how does the number of transactions in the past 60 days compare with the previous 60 days, percentage change",
    ],
)
def test_the_percent_change_of_two_windows_is_the_change_the_answer_shows(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "_change_pct" in c.sql, c.sql


def test_a_percent_change_without_two_windows_is_still_not_guessed(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "percent change in total spend").refusal is not None
