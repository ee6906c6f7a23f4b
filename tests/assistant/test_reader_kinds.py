"""Question kinds read in the fifth round (docs/assistant.md, "Fifth round"), on paraphrases of no evaluation
set: a minimum group size, rates of a named filter, ... — and the near misses that stay refused."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "having"),
    [
        ("average credit limit per region, only regions with more than 300 customers", "> ?"),
        (
            "which segment has the lowest average churn score among segments with at least 100 customers",
            ">= ?",
        ),
        ("total spend by merchant category for categories with fewer than 40 customers", "< ?"),
    ],
)
def test_a_minimum_group_size_is_a_count_per_group(
    compiler_only: LocalAnalyst, question: str, having: str
) -> None:
    """'groups with at least N <rows>' counts the rows in every group (HAVING), never a column of each row."""
    c = compiled(compiler_only, question)
    assert "HAVING COUNT(DISTINCT " in c.sql and c.sql.split("HAVING", 1)[1].lstrip().startswith("COUNT"), (
        c.sql
    )
    assert having in c.sql.split("HAVING", 1)[1], c.sql


def test_a_count_of_rows_without_groups_is_not_a_group_size(compiler_only: LocalAnalyst) -> None:
    """'states with at least 50 customers' and nothing grouped: there is no group to size."""
    result = turn(compiler_only, "states with at least 50 customers")
    assert result.refusal is not None or "HAVING" not in (result.compiled.sql if result.compiled else ""), (
        result
    )


@pytest.mark.parametrize(
    ("question", "group"),
    [("lapse rate by card type", "p.card_type"), ("what's the lapse rate in each region", "p.region")],
)
def test_the_rate_of_a_named_filter_per_group(compiler_only: LocalAnalyst, question: str, group: str) -> None:
    sql = compiled(compiler_only, question).sql
    assert (
        "COUNT(DISTINCT CASE WHEN ((p.customer_status = 'Lapsed'))" in sql and f"GROUP BY {group}" in sql
    ), sql
