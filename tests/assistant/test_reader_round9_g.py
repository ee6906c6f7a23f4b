"""Round nine (reader g): complete months only, and two aggregations of one measure named once, pinned on
paraphrases of our own that appear in no evaluation set. The same classes with hand-written reference SQL run on
the platform: paraphrases/round9_reader_g.yaml (test_platform.py)."""

from __future__ import annotations

from datetime import date

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    "question",
    [
        "Approved spend by month in 2026, full months only",
        "How many approved transactions per month this year, leaving out the current month?",
        "dining spend per month for 2026 (only complete months)",
        "spend per month in 2026 excluding the partial month",
    ],
)
def test_complete_months_only_ends_the_window_where_the_as_of_month_starts(
    compiler_only: LocalAnalyst, as_of_date: date, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is None and result.compiled is not None
    assert (
        as_of_date.replace(day=1) in result.compiled.params and date(2027, 1, 1) not in result.compiled.params
    )
    assert "DATE_TRUNC('month'" in result.compiled.sql


def test_without_the_words_the_month_in_progress_is_left_out_too(
    compiler_only: LocalAnalyst, as_of_date: date
) -> None:  # docs/metrics.md (2026-12-05): a monthly series leaves out the month in progress (round 10, a)
    c = compiled(compiler_only, "Approved spend by month in 2026")
    assert as_of_date.replace(day=1) in c.params and date(2027, 1, 1) not in c.params


def test_complete_months_of_a_rolling_window_are_the_last_whole_months(
    compiler_only: LocalAnalyst, as_of_date: date
) -> None:
    c = compiled(compiler_only, "spend per month over the last 6 months (complete months only)")
    end = as_of_date.replace(day=1)
    assert (end.replace(month=end.month - 6), end) == tuple(p for p in c.params if isinstance(p, date))


@pytest.mark.parametrize(
    "question",
    [
        "number of customers (complete months only)",  # nothing in time to cut
        "spend in 2026 excluding the month",  # which month is not said
    ],
)
def test_complete_months_words_with_nothing_to_apply_to_are_refused(
    compiler_only: LocalAnalyst, question: str
) -> None:
    assert turn(compiler_only, question).refusal is not None


@pytest.mark.parametrize(
    ("question", "aggregates"),
    [
        ("average and median credit limit by segment", ("AVG(p.credit_limit)", "MEDIAN(p.credit_limit)")),
        (
            "min and max churn risk score per card type",
            ("MIN(p.churn_risk_score)", "MAX(p.churn_risk_score)"),
        ),
        (
            "mean and median lifetime value across the customers",
            ("AVG(p.lifetime_value)", "MEDIAN(p.lifetime_value)"),
        ),
    ],
)
def test_two_aggregations_of_one_measure_named_once(
    compiler_only: LocalAnalyst, question: str, aggregates: tuple[str, str]
) -> None:
    c = compiled(compiler_only, question)
    assert all(a in c.sql for a in aggregates)


def test_two_aggregations_with_an_unknown_measure_stay_refused(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "average and median wombat count").refusal is not None
