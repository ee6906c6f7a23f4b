"""Round eleven (reader a): two precision classes pinned on paraphrases of our own that appear in no evaluation
set (the same classes with reference SQL: paraphrases/round11_reader_a.yaml, run by test_platform.py)."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "part"),
    [
        ("how many payments got declined in total, and what percentage of all attempts is that?", "declined"),
        ("How many High Risk customers are there and what share of all customers is that?", "High Risk"),
        ("number of Premium cardholders, and what % of everyone is that", "Premium"),
        ("how many customers live in Texas, and what percent of all customers is that", "TX"),
    ],
)
def test_a_share_of_all_rows_after_a_filtered_count_is_over_every_row(
    compiler_only: LocalAnalyst, question: str, part: str
) -> None:
    c = compiled(compiler_only, question)
    assert part in c.params
    assert (
        " WHERE " not in c.sql
    )  # the part is the numerator's, never a filter on the whole (which made 100 %)
    assert "share_pct" in c.sql and "OVER ()" not in c.sql
    assert c.sql.count("CASE WHEN") >= 2  # the count asked is of the part too


@pytest.mark.parametrize(
    ("question", "key", "column"),
    [
        (
            "When did CUST00000042 last use their card, and what did they spend over the last 90 days?",
            "CUST00000042",
            "spend_last_90_days",
        ),
        (
            "when did CUST00000310 last use the card and how much have they spent in the past 30 days",
            "CUST00000310",
            "spend_last_30_days",
        ),
    ],
)
def test_an_event_date_asked_beside_a_measure_of_one_customer_shows_both(
    compiler_only: LocalAnalyst, question: str, key: str, column: str
) -> None:
    c = compiled(compiler_only, question)
    assert "last_transaction_date" in c.sql and column in c.sql and key in c.params


def test_a_column_asked_beside_a_total_over_many_rows_is_refused_not_dropped(
    compiler_only: LocalAnalyst,
) -> None:
    result = turn(
        compiler_only, "when did High Risk customers last use their card, and how much did they spend?"
    )
    assert result.refusal is not None or (
        result.compiled is not None and "last_transaction_date" in result.compiled.sql
    )
