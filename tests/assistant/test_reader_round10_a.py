"""Round ten (reader a): a monthly series leaves out the month in progress (docs/metrics.md), two named periods
with a % change (or year over year) in one row, and a range of months written 'Jan-Nov 2026' — pinned on
paraphrases of our own that appear in no evaluation set. The same classes with hand-written reference SQL run
on the platform: paraphrases/round10_reader_a.yaml (test_platform.py)."""

from __future__ import annotations

from datetime import date

import pytest

from c360.assistant.local import LocalAnalyst
from c360.assistant.reading.month_in_progress import LEFT_OUT
from tests.assistant.test_compiler import compiled, turn


def _dates(params: tuple[object, ...] | list[object]) -> tuple[date, ...]:
    return tuple(p for p in params if isinstance(p, date))


@pytest.mark.parametrize(
    "question",
    [
        "card spend month by month for 2026",
        "number of declined transactions per month this year",
        "monthly count of approved transactions since February",
        "what share of spend was online in each month of 2026",
        "how many customers made an approved purchase in each month this year",
    ],
)
def test_a_monthly_series_ends_with_the_last_complete_month(
    compiler_only: LocalAnalyst, as_of_date: date, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is None and result.compiled is not None and result.query is not None
    assert "DATE_TRUNC('month'" in result.compiled.sql
    assert max(_dates(result.compiled.params)) == as_of_date.replace(day=1)
    assert any(LEFT_OUT in n for n in result.query.notes)  # the answer says which month was left out


def test_a_monthly_series_over_all_time_ends_there_too(compiler_only: LocalAnalyst, as_of_date: date) -> None:
    c = compiled(compiler_only, "spend by month")
    assert _dates(c.params) == (as_of_date.replace(day=1),)


@pytest.mark.parametrize(
    "question",
    [
        "spend by month this year including the current month",
        "monthly transaction count for 2026, incl. this month so far",
        "spend per month in 2026 with the month in progress",
        "spend by month from June to October 2026",  # the month in progress named as the end of the range
    ],
)
def test_the_month_in_progress_stays_when_it_is_asked_for(
    compiler_only: LocalAnalyst, as_of_date: date, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is None and result.compiled is not None and result.query is not None
    assert "DATE_TRUNC('month'" in result.compiled.sql
    assert as_of_date.replace(day=1) not in _dates(result.compiled.params)
    assert not any(LEFT_OUT in n for n in result.query.notes)


def test_quarterly_series_keep_their_quarter_in_progress(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "spend by quarter in 2026")
    assert date(2027, 1, 1) in c.params


def test_the_current_month_words_outside_a_series_are_not_dropped(compiler_only: LocalAnalyst) -> None:
    # 'and the current month' beside another period is not a series asking for its month in progress
    assert turn(compiler_only, "spend last month and the current month").refusal is not None


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        (
            "Dining spend last month compared with the month before - % change?",
            date(2026, 8, 1),
            date(2026, 9, 1),
        ),
        ("Spend in Q2 2026 versus the quarter before: percent change", date(2026, 1, 1), date(2026, 4, 1)),
        ("Jun 2026 spend vs Jun 2025 — year over year change?", date(2025, 6, 1), date(2026, 6, 1)),
        ("Q2 2026 online spend vs Q2 2025, yoy growth", date(2025, 4, 1), date(2026, 4, 1)),
    ],
)
def test_two_named_periods_with_a_percent_change_are_one_row(
    compiler_only: LocalAnalyst, question: str, first: date, second: date
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is None and result.query is not None
    assert result.query.rolling_periods  # one row: each period a column, then the change
    assert [p.start for p in result.query.periods] == [first, second]


@pytest.mark.parametrize(
    "question",
    ["July 2026 spend vs June 2026, year over year", "spend last month vs the month before, yoy change"],
)
def test_year_over_year_of_periods_not_a_year_apart_is_refused(
    compiler_only: LocalAnalyst, question: str
) -> None:
    refusal = turn(compiler_only, question).refusal
    assert refusal is not None and "year before" in refusal.reason


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("spend per month, Jan-Aug 2026", date(2026, 1, 1), date(2026, 9, 1)),
        ("online spend by month Mar 2026 - Jun 2026", date(2026, 3, 1), date(2026, 7, 1)),
        ("monthly decline rate, February to July 2026", date(2026, 2, 1), date(2026, 8, 1)),
        ("customers with an approved purchase each month, Feb–May 2026", date(2026, 2, 1), date(2026, 6, 1)),
    ],
)
def test_a_range_of_months_is_one_window(
    compiler_only: LocalAnalyst, question: str, start: date, end: date
) -> None:
    c = compiled(compiler_only, question)
    assert _dates(c.params)[:2] == (start, end) and "DATE_TRUNC('month'" in c.sql
