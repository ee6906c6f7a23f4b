"""Round nine (reader f): each class pinned on paraphrases of our own that appear in no evaluation set; the same
classes with hand-written reference SQL: paraphrases/round9_reader_f.yaml (test_platform.py)."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled


@pytest.mark.parametrize(
    "question",
    [
        "What was the largest purchase ever — who made it and how much?",
        "biggest transaction on record: who made it, when and where?",
        "the 3 biggest purchases ever, and who made them",
    ],
)
def test_who_made_a_listed_transaction_shows_the_customer(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert "AS customer_id" in c.sql and "AS full_name" in c.sql and "FCT_TRANSACTIONS" in c.sql


@pytest.mark.parametrize(
    ("earlier", "question", "grouped", "dropped"),
    [
        (
            "Total spend by region this year",
            "now just the South, broken down by state",
            "p.state",
            "p.region AS",
        ),
        ("Online spend by channel in 2026", "only Premium, split by region", "p.region", None),
    ],
)
def test_a_followup_filter_and_breakdown_keeps_the_measure(
    compiler_only: LocalAnalyst, earlier: str, question: str, grouped: str, dropped: str | None
) -> None:
    c = compiled(compiler_only, question, earlier)
    assert "customer_count" not in c.sql.lower() and "spend" in c.sql.lower()
    assert f"GROUP BY {grouped}" in c.sql or f", {grouped}" in c.sql.split("GROUP BY")[1]
    assert dropped is None or dropped not in c.sql
