"""The hourly batch generator: seeded, segment-aware (from the one spec), on the stream clock."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from c360.names import CHANNELS, STATUSES, STREAMING_PREFIX
from c360.reference import CATEGORY_BY_NAME
from generators.batches import (
    ANOMALY_KINDS,
    BatchWindow,
    LandedBatch,
    batch_start_from_key,
    generate_batch,
    latest_batch,
    next_window,
    volume_factor,
)
from generators.customers import generate_customers
from generators.spec import BUDGET, DEFAULT_SPEC, HVT
from tests.unit.pipe_harness import PIPE_CLOCK, PipeHarness

AS_OF = date(2026, 10, 15)
HISTORY_END = datetime(2026, 10, 15)
TRAIT_COLUMNS = [
    "customer_id",
    "customer_segment",
    "decline_type",
    "campaign_group",
    "account_open_date",
    "attrition_date",
    "attrition_type",
]


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_customers(2_000, 11, AS_OF)[TRAIT_COLUMNS]


def window(hour: int) -> BatchWindow:
    start = HISTORY_END + timedelta(hours=hour)
    return BatchWindow(start, start + timedelta(hours=1))


def frame(body: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)


def test_same_inputs_give_identical_files_and_windows_never_share_ids(customers: pd.DataFrame) -> None:
    a = generate_batch(customers, window(0), seed=42, as_of=AS_OF, months=18)
    b = generate_batch(customers, window(0), seed=42, as_of=AS_OF, months=18)
    c = generate_batch(customers, window(1), seed=42, as_of=AS_OF, months=18)
    assert a.body == b.body and a.body != c.body
    ids_a, ids_c = set(frame(a.body)["transaction_id"]), set(frame(c.body)["transaction_id"])
    assert len(ids_a) == a.rows and not ids_a & ids_c
    assert all(re.fullmatch(r"TXS\d{14}\d{5}", i) for i in ids_a | ids_c)
    assert not any(re.fullmatch(r"TXN\d{13}", i) for i in ids_a)  # the history's id scheme
    assert a.key == f"{STREAMING_PREFIX}2026/10/15/00/transactions_20261015T000000.csv"
    assert batch_start_from_key(a.key) == HISTORY_END


def test_rows_are_valid_inside_the_window_and_sorted(customers: pd.DataFrame) -> None:
    batch = generate_batch(customers, window(5), seed=1, as_of=AS_OF, months=18)
    rows = frame(batch.body)
    times = pd.to_datetime(rows["transaction_date"])
    assert times.is_monotonic_increasing
    assert times.min() >= window(5).start and times.max() < window(5).end
    assert set(rows["channel"]) <= set(CHANNELS) and set(rows["status"]) <= set(STATUSES)
    categories = set(rows["merchant_category"]) - {""}
    assert categories <= set(CATEGORY_BY_NAME)
    assert all(
        m in CATEGORY_BY_NAME[c].merchants
        for c, m in zip(rows["merchant_category"], rows["merchant_name"], strict=True)
        if c
    )
    amounts = rows["transaction_amount"].astype(float)
    assert (amounts >= 1.0).all() and rows["transaction_amount"].str.fullmatch(r"\d+\.\d{2}").all()
    assert set(rows["customer_id"]) <= set(customers["customer_id"])


def test_batch_size_is_the_average_hour_shaped_by_time_of_day_and_weekday(customers: pd.DataFrame) -> None:
    week = [
        generate_batch(customers, window(h), seed=3, as_of=AS_OF, months=18, size=200).rows
        for h in range(168)
    ]
    assert 194 <= sum(week) / len(week) <= 206  # the requested size is the week's average hour
    by_hour = [sum(week[d * 24 + h] for d in range(7)) / 7 for h in range(24)]
    assert max(by_hour[2:5]) < 0.25 * 200 and min(by_hour[17:19]) > 1.5 * 200  # night vs evening peak
    # 2026-10-15 is a Thursday: day 2 of the stream (Saturday) is busier than day 4 (Monday)
    assert window(0).start.isoweekday() == 4
    assert sum(week[2 * 24 : 3 * 24]) > 1.1 * sum(week[4 * 24 : 5 * 24])
    assert volume_factor(datetime(2026, 10, 17, 18)) == pytest.approx(
        DEFAULT_SPEC.hour_factor(18) * DEFAULT_SPEC.weekday_factor(6)
    )


def test_amounts_and_categories_follow_the_segment_profiles(customers: pd.DataFrame) -> None:
    parts = [
        frame(generate_batch(customers, window(h), seed=5, as_of=AS_OF, months=18, size=2_000).body)
        for h in range(4)
    ]
    rows = pd.concat(parts).merge(customers, on="customer_id")
    rows["amount"] = rows["transaction_amount"].astype(float)
    by_segment = rows.groupby("customer_segment")
    mean = by_segment["amount"].mean()
    assert mean[HVT] > 2.5 * mean[BUDGET]
    travel = {"Airlines", "Hotels", "Travel", "Car Rental"}
    travel_share = by_segment["merchant_category"].apply(lambda s: s.isin(travel).mean())
    assert travel_share[HVT] > 0.3 > 0.1 > travel_share[BUDGET]
    hvt_spec = sum(DEFAULT_SPEC.segments[HVT].category_weights[c] for c in travel)
    assert abs(travel_share[HVT] - hvt_spec) < 0.05
    # busier segments transact more often per customer
    per_customer = by_segment.size() / customers.groupby("customer_segment").size()
    assert per_customer[HVT] > per_customer[BUDGET]


def test_dormant_attriters_stop_transacting(customers: pd.DataFrame) -> None:
    gone = customers[
        (customers["attrition_type"] == "dormant")
        & (pd.to_datetime(customers["attrition_date"]) < pd.Timestamp(HISTORY_END))
    ]
    assert len(gone) > 20
    rows = pd.concat(
        frame(generate_batch(customers, window(h), seed=9, as_of=AS_OF, months=18).body) for h in range(6)
    )
    assert not set(rows["customer_id"]) & set(gone["customer_id"])


def test_stream_clock_continues_hour_by_hour_and_never_runs_ahead() -> None:
    wall = datetime(2026, 11, 22, 10, 30, 0)
    first = next_window(None, HISTORY_END, wall)
    assert (first.start, first.end) == (HISTORY_END, HISTORY_END + timedelta(hours=1))
    landed_much_later = LandedBatch(first.key, first.start, wall)
    assert next_window(landed_much_later, HISTORY_END, wall).start == HISTORY_END + timedelta(hours=1)
    # caught up with the wall clock: the window ends now, the next one starts after the last landed
    live = next_window(
        LandedBatch("k", datetime(2026, 11, 22, 10, 0), datetime(2026, 11, 22, 10, 0, 0, 500)),
        HISTORY_END,
        wall,
    )
    assert (live.start, live.end) == (datetime(2026, 11, 22, 10, 0, 1), wall)
    later = next_window(
        LandedBatch(live.key, live.start, datetime(2026, 11, 22, 10, 30, 0, 200)),
        HISTORY_END,
        datetime(2026, 11, 22, 10, 30, 5),
    )
    assert later.start == datetime(2026, 11, 22, 10, 30, 1) and later.end == datetime(2026, 11, 22, 10, 30, 5)
    assert latest_batch(
        [("a/transactions_20261015T010000.csv", wall), ("a/other.csv", wall), (first.key, wall)]
    ).start == datetime(2026, 10, 15, 1)


def test_bad_arguments_are_rejected(customers: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="must end after"):
        BatchWindow(HISTORY_END, HISTORY_END)
    with pytest.raises(ValueError, match="batch size"):
        generate_batch(customers, window(0), seed=1, as_of=AS_OF, months=18, size=-1)
    with pytest.raises(ValueError, match="no customers"):
        generate_batch(customers.iloc[:0], window(0), seed=1, as_of=AS_OF, months=18)


ANOMALY_REASONS = {
    "duplicate_row": "DUPLICATE_IN_FILE",
    "bad_amount": "BAD_AMOUNT",
    "negative_amount": "NON_POSITIVE_AMOUNT",
    "unknown_customer": "UNKNOWN_CUSTOMER",
    "future_timestamp": "FUTURE_TIMESTAMP",
    "empty_transaction_id": "MISSING_TRANSACTION_ID",
    "bad_timestamp": "BAD_TIMESTAMP",
    "unbalanced_quotes": "MALFORMED_CSV",
}


def test_injected_anomalies_are_exactly_what_the_pipe_quarantines(tmp_path: Path) -> None:
    assert set(ANOMALY_REASONS) == set(ANOMALY_KINDS)
    pipe = PipeHarness(tmp_path)
    people = pipe.session.query("select customer_id, customer_segment from BRONZE.BRONZE_CUSTOMERS")
    people = people.assign(
        decline_type=None,
        campaign_group="control",
        account_open_date=date(2020, 1, 1),
        attrition_date=None,
        attrition_type=None,
    )
    batch = generate_batch(
        people, window(9), seed=4, as_of=AS_OF, months=18, size=120, anomalies=16, now=PIPE_CLOCK
    )
    assert batch.anomalies == dict.fromkeys(ANOMALY_KINDS, 2) and batch.rows == batch.clean_rows + 16
    pipe.store.put_bytes(batch.key, batch.body)
    (load,) = pipe.run().loads
    assert (load.rows_in_file, load.rows_loaded, load.rows_quarantined) == (batch.rows, batch.clean_rows, 16)
    assert load.reasons == {ANOMALY_REASONS[k]: n for k, n in batch.anomalies.items()}
    pipe.close()
