"""Round seven: questions about the retention campaign, pinned on paraphrases of our own that appear in no
evaluation set (reader: reading/repeated.py, the yes/no clause in reading/yesno.py, the unit aside in
reading/scanner.py)."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("What is the retention lift between treatment and control?", "retention_lift_pct_points"),
        ("retention lift, treatment vs control", "retention_lift_pct_points"),
        ("what's the ROI of the treatment group compared with the control group", "roi_pct"),
        ("payback months by campaign group", "payback_months"),
        ("incremental revenue for treatment and control", "incremental_revenue"),
        ("show the lift per customer per month for each campaign arm", "lift_per_customer_month"),
        ("what was the cost per customer for the treatment group?", "cost_per_customer"),
    ],
)
def test_a_campaign_level_value_is_one_number_not_split_by_group(
    compiler_only: LocalAnalyst, question: str, column: str
) -> None:
    c = compiled(compiler_only, question)
    assert f"cp.{column}" in c.sql, c.sql
    assert "campaign_group" not in c.sql, c.sql  # neither grouped nor filtered: the same value on both rows
    query = turn(compiler_only, question).query
    assert query is not None and any("one value for the whole campaign" in n for n in query.notes), query


@pytest.mark.parametrize(
    "question",
    [
        "average monthly spend before and after the offer for treatment vs control",
        "treatment vs control: avg monthly spend before and after the retention campaign",
        "pre offer spend and the lift by campaign group",  # a value of each group keeps the groups
        "share of each group still active after the offer",
        "active share for each campaign group",
    ],
)
def test_values_of_each_group_stay_split_by_group(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert "GROUP BY cp.campaign_group" in c.sql, c.sql


def test_before_and_after_the_retention_offer_are_both_periods(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "spend before and after the retention offer per campaign group")
    assert "cp.pre_avg_monthly_spend" in c.sql and "cp.post_avg_monthly_spend" in c.sql, c.sql


@pytest.mark.parametrize(
    "question",
    [
        "Give me the lift per customer per month and whether it's statistically significant.",
        "tell me whether the lift was significant, and the lift per customer",
        "campaign lift - and whether it is significant",
    ],
)
def test_whether_asks_for_the_flag_instead_of_filtering_on_it(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "GROUP BY cp.is_lift_significant" in c.sql and "WHERE" not in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "column"),
    [
        ("What's the payback period on the retention campaign, in months?", "payback_months"),
        ("how long until the offer pays back, in months", "payback_months"),
        ("the value horizon of the campaign in months", "value_horizon_months"),
    ],
)
def test_in_months_after_a_measure_counted_in_months_is_its_unit(
    compiler_only: LocalAnalyst, question: str, column: str
) -> None:
    c = compiled(compiler_only, question)
    assert f"cp.{column}" in c.sql and "date_trunc" not in c.sql.lower(), c.sql


def test_in_months_after_anything_else_is_still_not_guessed(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "total spend in months").refusal is not None
