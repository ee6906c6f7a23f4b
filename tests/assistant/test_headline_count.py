"""A grouped noun phrase with no measure ('lapsed customers by region') opens a conversation as the count of
those rows per group — paraphrases of our own; a bare refinement ('by region', 'now by state') with nothing
before it stays a follow-up without context."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "grouped_by", "condition"),
    [
        ("At-risk customers per segment", "p.customer_segment", "churn_risk_category IN"),
        ("lapsed customers by region please", "p.region", "customer_status = 'Lapsed'"),
        ("Premium cardholders by state", "p.state", "card_type = ?"),
        ("high risk customers in each region", "p.region", "churn_risk_category = ?"),
        ("Retired customers per card type", "p.card_type", "employment_status = ?"),
    ],
)
def test_a_grouped_noun_phrase_is_a_count_per_group(
    compiler_only: LocalAnalyst, question: str, grouped_by: str, condition: str
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is None, result.refusal
    assert result.compiled is not None and result.query is not None
    sql = result.compiled.sql
    assert "COUNT(DISTINCT p.customer_id)" in sql and f"GROUP BY {grouped_by}" in sql, sql
    assert condition in sql, sql
    assert any("count of the rows in each group" in n for n in result.query.notes)


def test_transactions_grouped_count_transactions(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "declined transactions by channel").sql
    assert "GROUP BY t.channel" in sql and "is_approved" in sql, sql


@pytest.mark.parametrize(
    "question", ["by region", "now by state", "and by card type?", "same but per segment"]
)
def test_a_bare_refinement_without_context_stays_a_follow_up(
    compiler_only: LocalAnalyst, question: str
) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is not None


def test_a_grouped_noun_phrase_after_a_question_still_refines_it(compiler_only: LocalAnalyst) -> None:
    sql = compiled(compiler_only, "Premium customers by state", "What is the average lifetime value?").sql
    assert "AVG(p.lifetime_value)" in sql and "GROUP BY p.state" in sql, sql
