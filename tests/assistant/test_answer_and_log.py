"""Answer sentences and charts from results; the request log (append, read, load once into OBSERVABILITY)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from c360.assistant.answer import Baseline, fmt, refine_chart, summarize
from c360.assistant.compiler import OutputColumn
from c360.assistant.requestlog import RequestRecord, append_request, load_request_log, log_path, read_requests
from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from tests.conftest import AS_OF

SPEND = OutputColumn("avg_monthly_spend_per_customer", "measure", "p.x", "average monthly spend", "currency")
COUNT = OutputColumn("customer_count", "measure", "p.c", "customer count", "count")
STATE = OutputColumn("state", "dimension", "customer_360_profile.state", "state", "text")
MONTH = OutputColumn("month", "time", "t.transaction_date", "month", "date")


def test_single_value_is_compared_with_the_overall_value() -> None:
    frame = pd.DataFrame({SPEND.name: [2847.0]})
    sentence = summarize(
        frame, [SPEND], mode="aggregate", filters=["state CA"], baseline=Baseline({SPEND.name: 2542.0})
    )
    assert sentence == "The average monthly spend for state CA is $2,847, 12.0% above the overall $2,542."


def test_counts_give_their_share_of_the_whole() -> None:
    frame = pd.DataFrame({COUNT.name: [150]})
    sentence = summarize(
        frame, [COUNT], mode="aggregate", filters=["segment HVT"], baseline=Baseline({COUNT.name: 1000})
    )
    assert sentence.endswith("is 150, 15.0% of the 1,000 overall.")


def test_groups_name_the_highest_and_lowest_from_the_data() -> None:
    frame = pd.DataFrame({"state": ["TX", "CA", "NY"], COUNT.name: [80, 113, 73]})
    sentence = summarize(frame, [STATE, COUNT], mode="aggregate")
    assert sentence.startswith(
        "CA has the highest customer count (113), followed by TX (80); NY has the lowest (73)"
    )


def test_two_groups_read_as_a_comparison() -> None:
    frame = pd.DataFrame({"state": ["CA", "TX"], SPEND.name: [2000.0, 1600.0]})
    assert "25.0% higher" in summarize(frame, [STATE, SPEND], mode="aggregate")


def test_one_group_row_gives_every_figure_it_holds() -> None:
    """'Did the campaign pay off?': one row of several measures; the sentence must not stop at the first."""
    name = OutputColumn("campaign_name", "dimension", "cp.campaign_name", "campaign name", "text")
    roi = OutputColumn("roi_pct", "measure", "cp.roi_pct", "ROI", "percent")
    frame = pd.DataFrame({"campaign_name": ["Offer"], SPEND.name: [27.35], "roi_pct": [-96.44]})
    sentence = summarize(frame, [name, SPEND, roi], mode="aggregate")
    assert sentence == "Offer: average monthly spend $27.35; ROI -96.4%."


def test_time_series_leaves_out_the_period_in_progress() -> None:
    months = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
    frame = pd.DataFrame({"month": months, SPEND.name: [100.0, 150.0, 120.0, 10.0]})
    sentence = summarize(frame, [MONTH, SPEND], mode="aggregate", as_of=AS_OF)
    assert "from $100.00 in July 2026 to $120.00 in September 2026 (+20.0%)" in sentence
    assert "peak was $150.00 in August 2026" in sentence and "October" not in sentence.split(";")[0]


def test_empty_and_listing_results() -> None:
    assert summarize(pd.DataFrame({"customer_id": []}), [], mode="list", entity="customers") == (
        "No customers match the question."
    )
    listing = pd.DataFrame(
        {"customer_id": ["CUST00000001"], "full_name": ["Ann Lee"], "lifetime_value": [120000.0]}
    )
    columns = [
        OutputColumn("customer_id", "column", "p.customer_id", "customer id", "id"),
        OutputColumn("full_name", "column", "p.full_name", "full name", "text"),
        OutputColumn("lifetime_value", "column", "p.lifetime_value", "lifetime value", "currency"),
    ]
    assert summarize(listing, columns, mode="list", entity="customers") == (
        "Ann Lee (CUST00000001): lifetime value $120,000."
    )


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1234.5, "currency", "$1,234"),
        (12.345, "currency", "$12.35"),
        (-116.584, "currency", "-$116.58"),
        (-2500.0, "currency", "-$2,500"),
        (12.345, "percent", "12.3%"),
        (1234.0, "count", "1,234"),
        (None, "number", "n/a"),
        (date(2026, 1, 2), "date", "2026-01-02"),
    ],
)
def test_value_formats(value: object, kind: str, text: str) -> None:
    assert fmt(value, kind) == text


def test_chart_refinement() -> None:
    two_states = pd.DataFrame({"state": ["CA", "TX"], "n": [1, 2]})
    assert refine_chart("map", two_states, [STATE, COUNT]) == "bar"
    many = pd.DataFrame({"segment": list("abcdefghij"), "n": range(10)})
    assert refine_chart("pie", many, [STATE, COUNT]) == "bar"
    assert refine_chart("line", pd.DataFrame({"n": [1]}), [COUNT]) == "table"


def _record(request_id: str) -> RequestRecord:
    return RequestRecord(
        request_id=request_id,
        asked_at="2026-10-15T10:00:00.000",
        role="MARKETING_MANAGER",
        backend="local",
        question="How many customers?",
        history_turns=0,
        status="answered",
        refusal_kind=None,
        reason=None,
        sql_text="SELECT 1",
        verified_query=None,
        is_verified=False,
        row_count=1,
        latency_ms=12.5,
    )


def test_request_log_loads_each_line_once_and_skips_torn_lines(tmp_path: Path) -> None:
    settings = Settings.load(target="local", as_of=AS_OF, home=tmp_path / "home", env={})
    append_request(settings, _record("r1"))
    append_request(settings, _record("r2"))
    with log_path(settings).open("a") as handle:
        handle.write('{"request_id": "torn", "asked_at": ')  # a crash mid-write
    assert [r.request_id for r in read_requests(settings)] == ["r1", "r2"]
    session = DuckDBSession.in_memory()
    session.run_script("create schema observability")
    assert load_request_log(session, settings) == 2
    assert load_request_log(session, settings) == 0  # idempotent
    append_request(settings, _record("r3"))
    assert load_request_log(session, settings) == 1
    rows = session.query(
        "select request_id, latency_ms, is_verified from observability.assistant_requests order by 1"
    )
    assert rows["request_id"].tolist() == ["r1", "r2", "r3"] and rows["latency_ms"].tolist() == [12.5] * 3
