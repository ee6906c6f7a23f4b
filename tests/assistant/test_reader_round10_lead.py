"""Round ten (lead): four wrong answers of blind v9's first score, as classes, pinned on paraphrases of our own
(a measure's owner between an aggregation and the measure, a masked identifier as a group, a superlative
nothing ranks by, a share of the grouping column itself)."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "aggregate"),
    [
        ("what is the total portfolio lifetime value", "SUM(p.lifetime_value)"),
        ("median cardholder credit limit", "MEDIAN(p.credit_limit)"),
        ("average cardholder lifetime value by state", "AVG(p.lifetime_value)"),
    ],
)
def test_a_table_noun_between_an_aggregation_and_its_measure_names_whose_measure_it_is(
    compiler_only: LocalAnalyst, question: str, aggregate: str
) -> None:
    assert aggregate in compiled(compiler_only, question).sql


@pytest.mark.parametrize(
    "question",
    ["customer count by email", "customers per email", "number of cardholders by name"],
)
def test_a_group_per_masked_identifier_is_refused_as_a_listing_the_role_may_not_see(
    compiler_only: LocalAnalyst, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is not None and "masked" in result.refusal.reason


def test_one_customers_masked_email_is_still_shown(compiler_only: LocalAnalyst) -> None:
    assert "p.email" in compiled(compiler_only, "what is CUST00000010's email address").sql


@pytest.mark.parametrize(
    "question",
    ["how many customers opened the offer email", "how many cardholders opened an email in November"],
)
def test_email_engagement_is_unavailable(compiler_only: LocalAnalyst, question: str) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is not None and "engagement" in result.refusal.reason


@pytest.mark.parametrize(
    "question", ["show the 5 highest churn risk customers in Ohio", "list the 20 top churn-risk customers"]
)
def test_a_superlative_that_nothing_ranks_is_refused_never_dropped(
    compiler_only: LocalAnalyst, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is not None and "ranks by" in result.refusal.reason


def test_the_same_ranking_named_by_its_measure_is_answered(compiler_only: LocalAnalyst) -> None:
    assert (
        "ORDER BY p.churn_risk_score DESC"
        in compiled(compiler_only, "5 customers in Ohio with the highest churn risk").sql
    )


@pytest.mark.parametrize(
    "question",
    [
        "per state, how many customers are premium and what share of the state is that?",
        "lapsed customers by segment as a percentage of the segment",
    ],
)
def test_a_share_of_the_grouping_column_itself_is_refused_not_read_as_a_share_of_the_total(
    compiler_only: LocalAnalyst, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is not None and "share of" in result.refusal.reason


def test_a_rate_per_group_is_still_read(compiler_only: LocalAnalyst) -> None:
    assert "GROUP BY p.customer_segment" in compiled(compiler_only, "whats the active rate per segment?").sql


@pytest.mark.parametrize(
    ("question", "read_as"),
    [
        ("number of txns l30d", "last 30 days"),
        ("top 5 categories by spend L90D", "last 90 days"),
        ("total transactions by qtr", "quarter"),
    ],
)
def test_abbreviated_windows_and_quarters_are_read_and_said(
    compiler_only: LocalAnalyst, question: str, read_as: str
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is None and result.query is not None
    assert any(f"as '{read_as}'" in note for note in result.query.notes), result.query.notes
