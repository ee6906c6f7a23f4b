"""Round nine (reader e): a placeholder value named after 'without a <dimension>', open-ended bands in a listed band
list, and a city grouped inside its state, pinned on paraphrases of our own that appear in no evaluation set. The
same classes with hand-written reference SQL run on the platform: paraphrases/round9_reader_e.yaml."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    "question",
    [
        "What was the total spend on transactions without a category (Uncategorized)?",
        "average transaction amount for purchases without a merchant category (Uncategorized)",
    ],
)
def test_without_a_dimension_naming_its_placeholder_value_is_that_value(
    compiler_only: LocalAnalyst, question: str
) -> None:
    c = compiled(compiler_only, question)
    assert "mc.category_name = ?" in c.sql and "<>" not in c.sql and "Uncategorized" in c.params, c.sql


def test_excluding_the_placeholder_value_stays_a_negation(compiler_only: LocalAnalyst) -> None:
    assert "mc.category_name <> ?" in compiled(compiler_only, "transaction count excluding Uncategorized").sql


@pytest.mark.parametrize(
    ("question", "below", "above"),
    [
        ("average lifetime value per age group below 25, 25-39, 40-64, 65 and over", 25, 65),
        ("how many customers fall in each age bracket: under 35, 35-54, 55 and above", 35, 55),
    ],
)
def test_open_ended_bands_are_bands_not_filters(
    compiler_only: LocalAnalyst, question: str, below: int, above: int
) -> None:
    c = compiled(compiler_only, question)
    assert "p.age < ? THEN ?" in c.sql and "p.age >= ? THEN ?" in c.sql, c.sql
    assert (
        below in c.params and above in c.params and f"under {below}" in c.params and f"{above}+" in c.params
    )
    assert "AND p.age <" not in c.sql.split("GROUP BY")[0].split("IS NOT NULL")[-1], c.sql


def test_over_a_number_not_closing_the_band_before_is_refused(compiler_only: LocalAnalyst) -> None:
    result = turn(compiler_only, "customers by age band 18-29, 30-44, 45-59, over 60")
    assert result.refusal is not None and "60+" in result.refusal.reason


@pytest.mark.parametrize(
    "question", ["which 5 towns have the most customers", "average lifetime value by city in California"]
)
def test_a_city_is_grouped_inside_its_state(compiler_only: LocalAnalyst, question: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert "GROUP BY p.city, p.state" in sql and "p.state AS state" in sql, sql


def test_a_count_of_rows_without_a_group_counts_every_attempt(compiler_only: LocalAnalyst) -> None:
    q = "Number of transactions without a merchant category (Uncategorized)"
    sql = compiled(compiler_only, q).sql
    assert "COUNT(*) AS attempted_transaction_count" in sql and "mc.category_name = ?" in sql, sql
