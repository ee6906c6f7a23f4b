"""Hand-built card histories for the churn label and point-in-time tests, written straight into bronze.

Every customer spends $100 every other day from the start of history. What happens in the validation
cutoff's outcome window [T2, T2 + 90 d) differs per customer (T2 = as-of - 90 days):
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from c360.engines.base import WarehouseSession
from c360.sqlfiles import load_sql

AS_OF = date(2026, 10, 15)
HISTORY_START = date(2025, 5, 1)
T2 = AS_OF - timedelta(days=90)  # validation cutoff
LOADED_AT = datetime(2026, 10, 15, 1, 0, 0)


@dataclass(frozen=True)
class Story:
    customer_id: str
    expected_churn: bool | None  # None: not in the model's population at T2
    why: str


STORIES = (
    Story("CUST00000001", False, "steady: same spend every other day"),
    Story("CUST00000002", True, "inactive: no transaction in the window"),
    Story("CUST00000003", False, "35 % of baseline spend: above the 30 % line"),
    Story("CUST00000004", True, "25 % of baseline spend: below the 30 % line"),
    Story("CUST00000005", False, "a 59-day gap, generous spend otherwise"),
    Story("CUST00000006", True, "a 60-day gap, generous spend otherwise"),
    Story("CUST00000007", True, "only declined attempts in the window (spend = approved only)"),
    Story("CUST00000008", True, "stops 60 days before the window ends (counted up to T + 90)"),
    Story("CUST00000009", False, "stops 59 days before the window ends"),
    Story("CUST00000010", None, "lapsed: nothing in the 90 days before T2"),
)


def _every(step: int, start: date, end: date) -> Iterator[date]:
    day = start
    while day < end:
        yield day
        day += timedelta(days=step)


def _window(customer: str) -> Iterator[tuple[date, float, str]]:
    """(day, amount, status) in the outcome window [T2, AS_OF)."""
    end = AS_OF
    if customer == "CUST00000001":
        yield from ((d, 100.0, "approved") for d in _every(2, T2, end))
    elif customer == "CUST00000003":
        yield from ((d, 35.0, "approved") for d in _every(2, T2, end))
    elif customer == "CUST00000004":
        yield from ((d, 25.0, "approved") for d in _every(2, T2, end))
    elif customer in ("CUST00000005", "CUST00000006"):
        gap = 59 if customer == "CUST00000005" else 60
        idle = {T2 + timedelta(days=5 + i) for i in range(gap)}
        yield from ((d, 300.0, "approved") for d in _every(1, T2, end) if d not in idle)
    elif customer == "CUST00000007":
        yield from ((d, 100.0, "declined") for d in _every(2, T2, end))
    elif customer in ("CUST00000008", "CUST00000009"):
        # last active day T2 + 29 leaves days T2+30 .. T2+89 idle (60); T2 + 30 leaves 59
        last = T2 + timedelta(days=29 if customer == "CUST00000008" else 30)
        yield from ((d, 220.0, "approved") for d in _every(1, T2, last + timedelta(days=1)))


def transactions() -> pd.DataFrame:
    rows = []
    for story in STORIES:
        history_end = T2 - timedelta(days=120) if story.customer_id == "CUST00000010" else T2
        days = [(d, 100.0, "approved") for d in _every(2, HISTORY_START, history_end)]
        days += list(_window(story.customer_id))
        for i, (day, amount, status) in enumerate(days):
            rows.append(
                _row(
                    story.customer_id,
                    i,
                    datetime.combine(day, datetime.min.time()) + timedelta(hours=12),
                    amount,
                    status,
                )
            )
    return pd.DataFrame(rows)


def _row(
    customer: str, i: int, at: datetime, amount: float, status: str, source: str = "handmade:history"
) -> dict[str, object]:
    return {
        "transaction_id": f"TXH{customer[4:]}{i:05d}",
        "customer_id": customer,
        "transaction_date": at,
        "transaction_amount": amount,
        "merchant_name": "Corner Grocery",
        "merchant_category": "Grocery",
        "channel": "In-Store",
        "status": status,
        "ingestion_timestamp": LOADED_AT,
        "source_file": source,
        "source_row_number": i,
    }


def late_transactions(loaded_at: datetime) -> pd.DataFrame:
    """Activity dated ON or AFTER each cutoff (T2 at exactly midnight, later days, after the as-of date),
    delivered later: it must never change a feature at a cutoff before it."""
    rows = []
    for n, story in enumerate(STORIES):
        for k, at in enumerate(
            (
                datetime.combine(T2, datetime.min.time()),  # exactly at the validation cutoff
                datetime.combine(T2 + timedelta(days=3), datetime.min.time()) + timedelta(hours=9),
                datetime.combine(T2 + timedelta(days=40), datetime.min.time()) + timedelta(hours=9),
                datetime.combine(AS_OF, datetime.min.time()),  # exactly at the scoring cutoff
                datetime.combine(AS_OF + timedelta(days=2), datetime.min.time()),
            )
        ):
            row = _row(story.customer_id, 90_000 + k, at, 5_000.0, "approved", source="handmade:late")
            row["transaction_id"] = f"TXL{n:03d}{k:03d}"
            row["ingestion_timestamp"] = loaded_at
            rows.append(row)
    return pd.DataFrame(rows)


def customers() -> pd.DataFrame:
    rows = []
    for i, story in enumerate(STORIES):
        rows.append(
            {
                "customer_id": story.customer_id,
                "first_name": "Pat",
                "last_name": f"Example{i}",
                "email": f"pat{i}@example.com",
                "age": 40 + i,
                "state": "CA",
                "city": "Fresno",
                "employment_status": "Employed",
                "card_type": "Standard",
                "credit_limit": 10_000.0,
                "account_open_date": date(2020, 1, 1),
                # generator truth, deliberately contradicting the stories: no feature may see it
                "customer_segment": "Declining" if story.expected_churn is False else "Stable Mid-Spenders",
                "decline_type": "sudden",
                "campaign_group": "treatment",
                "attrition_date": None if story.expected_churn else T2,
                "attrition_type": "dormant",
                "ingestion_timestamp": LOADED_AT,
                "source_file": "customers/customers.csv",
                "source_row_number": i + 1,
            }
        )
    return pd.DataFrame(rows)


def write_bronze(session: WarehouseSession) -> None:
    for name in ("ddl/schemas", "ddl/bronze", "ddl/observability", "ddl/streaming", "ddl/gold"):
        session.run_script(load_sql(name, session.dialect))
    session.insert_frame("BRONZE.BRONZE_CUSTOMERS", customers())
    session.insert_frame("BRONZE.BRONZE_TRANSACTIONS", transactions())
