"""Round eight (reader a): campaign mechanics, the stored 90-day change as a count, filter or bound, and
credit-limit history — pinned on paraphrases of our own that appear in no evaluation set (the scored ones are
tests/assistant/paraphrases/round8_reader_a.yaml), and on what must still refuse."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


# ---- whose confidence interval (reading/intervals.py) ---------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "What's the retention lift, and its 95% confidence interval?",
        "confidence interval on the retention lift",
        "retention effect of the offer in pct points, with the CI",
    ],
)
def test_the_retention_lift_has_its_own_interval(compiler_only: LocalAnalyst, question: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "cp.retention_lift_ci_low" in sql and "cp.retention_lift_ci_high" in sql, sql
    assert "cp.lift_ci_low" not in sql and "cp.lift_ci_high" not in sql, sql


@pytest.mark.parametrize(
    "question", ["spend lift per customer with its confidence interval", "what is the confidence interval"]
)
def test_the_spend_lift_or_no_lift_keeps_the_spend_lifts_interval(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "cp.lift_ci_low" in sql and "retention_lift_ci" not in sql, sql


def test_two_lifts_and_one_interval_are_refused(compiler_only: LocalAnalyst) -> None:
    refusal = turn(
        compiler_only, "the spend lift and the retention lift with the confidence interval"
    ).refusal
    assert refusal is not None and "own confidence interval" in refusal.reason, refusal


def test_significance_of_the_retention_lift_is_refused(compiler_only: LocalAnalyst) -> None:
    refusal = turn(compiler_only, "is the retention lift statistically significant?").refusal
    assert refusal is not None and "Significance is stored for the campaign lift only" in refusal.reason, (
        refusal
    )


def test_whether_the_lift_is_significant_shows_its_interval(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "did the offer move spend? the lift and whether it's significant").sql
    assert "GROUP BY cp.is_lift_significant" in sql and "cp.lift_ci_low" in sql, sql


# ---- the campaign's periods, rates and the seed deck's ROI ----------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "What are the pre and post periods of the retention campaign?",
        "campaign before and after windows",
        "When did the retention offer go out, and what are the before and after windows?",
    ],
)
def test_the_pre_and_post_periods_are_their_start_and_end_dates(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    for column in ("pre_period_start", "pre_period_end", "post_period_start", "post_period_end"):
        assert f"MIN(cp.{column})" in sql, sql
    assert "pre_avg_monthly_spend" not in sql and "GROUP BY" not in sql, sql


def test_the_offer_month_question_keeps_the_other_figures_asked(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "when did the campaign start and what was the roi").sql
    assert "MIN(cp.offer_month)" in sql and "cp.roi_pct" in sql, sql


@pytest.mark.parametrize(
    ("question", "columns"),
    [
        ("What ROI does the seed formula give?", ("seed_formula_roi_pct",)),
        ("ROI if we count all the recovered spend as return", ("seed_formula_roi_pct",)),
        ("compare the deck's ROI with the platform ROI", ("seed_formula_roi_pct", "roi_pct")),
        ("what revenue rate does the campaign assume?", ("revenue_rate",)),
        ("offer cost per customer and the revenue rate", ("cost_per_customer", "revenue_rate")),
    ],
)
def test_campaign_economics_are_campaign_level_values(
    compiler_only: LocalAnalyst, question: str, columns: tuple[str, ...]
) -> None:
    sql = compiled(compiler_only, question).sql
    # round 9: shown beside the campaign's name (named_by), never split by the campaign's groups
    grouped = sql.split("GROUP BY")[1].split(" ORDER BY")[0].strip() if "GROUP BY" in sql else ""
    assert all(f"cp.{c}" in sql for c in columns) and grouped in ("", "cp.campaign_name"), sql


@pytest.mark.parametrize(
    "question",
    [
        "what's the cost of the campaign per customer",
        "What do we assume per customer for the offer cost?",
    ],
)
def test_per_customer_apart_from_the_measure_names_the_per_customer_column(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "cp.cost_per_customer" in sql and "cp.campaign_cost" not in sql, sql


def test_a_figure_over_the_value_horizon_shows_the_horizons_length(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "If the lift holds, what's the ROI over the full value horizon?").sql
    assert "cp.horizon_roi_pct" in sql and "cp.value_horizon_months" in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "% change in average spend after the offer, treatment vs control",
        "How did average spend change after the offer for treatment and for control, in %?",
    ],
)
def test_the_groups_spend_change_after_the_offer_in_percent(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "cp.spend_change_pct" in sql and "GROUP BY cp.campaign_group" in sql, sql


def test_part_of_the_retention_test_is_the_campaign_group(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "is CUST00000055 part of the retention test?").sql
    assert "p.campaign_group" in sql and "p.customer_id = ?" in sql, sql


# ---- the stored 90-day change ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "op"),
    [
        ("how many customers spent more in the last 90 days than in the 90 days before?", ">"),
        ("number of cardholders who spent less over the past 90 days than the prior 90 days", "<"),
        ("how many Premium customers spent less in the last 90 days than in the previous 90 days", "<"),
        ("how many customers spent less in the last 90 days than in the prior 90 days", "<"),
    ],
)
def test_spent_less_or_more_than_the_90_days_before_is_the_stored_change_in_dollars(
    compiler_only: LocalAnalyst, question: str, op: str
) -> None:
    c = compiled(compiler_only, question)
    assert f"p.spend_last_90_days - p.spend_prior_90_days {op} ?" in c.sql, c.sql
    assert "FCT_TRANSACTIONS" not in c.sql, c.sql


def test_spent_less_than_another_window_before_is_still_refused(compiler_only: LocalAnalyst) -> None:
    question = "how many customers spent less in the last 30 days than in the 30 days before?"
    assert turn(compiler_only, question).refusal is not None


@pytest.mark.parametrize(
    ("question", "op", "value"),
    [
        ("how many customers have a 40%+ drop in spend", "<=", -40),
        ("how many custs have a 25%+ spend increase", ">=", 25),
        ("customers whose spend dropped by 30% or more", "<=", -30),
    ],
)
def test_a_sized_change_is_a_bound_on_the_change(
    compiler_only: LocalAnalyst, question: str, op: str, value: float
) -> None:
    c = compiled(compiler_only, question)
    assert f"p.spend_change_pct {op} ?" in c.sql and value in c.params, (c.sql, c.params)


def test_a_change_of_an_unsaid_bound_is_not_guessed(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "customers with a 30% spend drop").refusal is not None


@pytest.mark.parametrize(
    "question",
    [
        "avg spend change % by segment (90d vs prior 90d)",
        "median spend change pct by state, last 90 days vs the 90 before",
    ],
)
def test_the_stored_change_through_its_metric_with_its_windows_restated(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "p.spend_change_pct" in sql and "GROUP BY" in sql and "FCT_TRANSACTIONS" not in sql, sql


# ---- credit-limit changes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "op"),
    [
        ("who had their credit limit lowered?", "<"),
        ("List Premium customers whose credit limit was reduced", "<"),
        ("how many customers got a credit limit increase?", ">"),
        ("Standard cardholders whose limit was cut in the last 90 days", "<"),
    ],
)
def test_a_limit_increase_or_decrease_is_the_latest_changes_direction(
    compiler_only: LocalAnalyst, question: str, op: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert f"p.credit_limit {op} p.previous_credit_limit" in sql, sql
    if "90 days" in question:
        assert "p.last_card_change_date >= ?" in sql, sql


@pytest.mark.parametrize(
    "question",
    ["how many customers have more than one card version?", "customers with 3 or more card versions"],
)
def test_card_versions_are_counted_per_customer(compiler_only: LocalAnalyst, question: str) -> None:
    assert "p.card_versions >" in compiled(compiler_only, question).sql


def test_the_limit_before_the_last_change_is_the_previous_limit(compiler_only: LocalAnalyst) -> None:
    question = "what's CUST00000005's credit limit now and what was it before the last change?"
    sql = compiled(compiler_only, question).sql
    assert "p.credit_limit" in sql and "p.previous_credit_limit" in sql, sql


def test_walk_me_through_lists_the_card_history(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "walk me through CUST00000005's card history").sql
    assert "FROM GOLD.DIM_CUSTOMER" in sql and "ORDER BY dc.valid_from ASC" in sql, sql
