"""Round eleven (reader b): each class pinned on paraphrases of our own that appear in no evaluation set. The same
classes with hand-written reference SQL run on the platform: paraphrases/round11_reader_b.yaml (test_platform.py).
The test analyst's as-of date is 2026-10-15: October is the month in progress here."""

from __future__ import annotations

import pandas as pd
import pytest

from c360.assistant.answer import absent_meanings, summarize
from c360.assistant.compiler import OutputColumn
from c360.assistant.evaluation import compare
from c360.assistant.local import LocalAnalyst
from c360.assistant.model import SemanticModel
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    "question",
    [
        "Show CUST00000021's monthly spend this year",
        "CUST00000333 monthly spend since May",
        "list the monthly spend of customer CUST00000090 in 2026",
    ],
)
def test_a_listing_of_one_customers_months_leaves_out_the_month_in_progress(
    analyst: LocalAnalyst, question: str
) -> None:
    t = turn(analyst, question)
    c = compiled(analyst, question)
    assert "metric_mom_spend_change" in c.tables
    assert "DATE '2026-10-01'" in c.display_sql() and "< DATE '2026-10-01'" in c.display_sql()
    assert t.query is not None and any(
        "October 2026, the month in progress, is left out" in n for n in t.query.notes
    )


@pytest.mark.parametrize(
    "question",
    [
        "monthly spend of CUST00000021 this year including October",
        "CUST00000333 monthly spend since May including the current month",
        "CUST00000090 monthly spend this month",
        "CUST00000090 monthly spend from June to October 2026",
    ],
)
def test_the_month_in_progress_stays_when_it_is_asked_for(analyst: LocalAnalyst, question: str) -> None:
    c = compiled(analyst, question)
    assert "< DATE '2026-10-01'" not in c.display_sql()


def test_a_listing_of_customers_is_no_monthly_series(analyst: LocalAnalyst) -> None:
    c = compiled(analyst, "customers who joined this year")
    assert "< DATE '2026-10-01'" not in c.display_sql()


GROUP = OutputColumn(
    "campaign_group", "dimension", "customer_360_profile.campaign_group", "campaign group", "text"
)
NAME = OutputColumn("full_name", "column", "customer_360_profile.full_name", "full name", "text")
KEY = OutputColumn("customer_id", "column", "customer_360_profile.customer_id", "customer id", "id")


def test_a_customer_in_no_campaign_group_is_said_to_be_outside_the_test(model: SemanticModel) -> None:
    absent = absent_meanings(model)
    assert absent["customer_360_profile.campaign_group"] == "none (not in the retention campaign)"
    frame = pd.DataFrame(
        {"customer_id": ["CUST00000777"], "full_name": ["Brad C."], "campaign_group": [None]}
    )
    sentence = summarize(frame, [KEY, NAME, GROUP], mode="list", entity="customers", absent=absent)
    assert "campaign group none (not in the retention campaign)" in sentence and "n/a" not in sentence
    frame["campaign_group"] = ["treatment"]
    assert "campaign group treatment" in summarize(frame, [KEY, NAME, GROUP], mode="list", absent=absent)


def test_a_group_question_shows_the_campaign_group(analyst: LocalAnalyst) -> None:
    c = compiled(analyst, "which campaign arm is CUST00000640 in?")
    assert any(col.ref == "customer_360_profile.campaign_group" for col in c.columns)


def test_a_reference_column_of_nulls_read_back_as_na_matches_nulls() -> None:
    reference = pd.DataFrame({"g": pd.array([None], dtype="Int32")})
    assert compare(reference, pd.DataFrame({"g": [None]}), ordered=False)[0]
    assert not compare(reference, pd.DataFrame({"g": ["control"]}), ordered=False)[0]
