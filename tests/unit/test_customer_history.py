"""Card history: dated upgrades and limit changes that end exactly at the generated portfolio."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from generators.customer_history import (
    LIMIT_DECREASE,
    LIMIT_INCREASE,
    UPGRADE,
    change_file_key,
    customer_deliveries,
    is_change_file,
    validate_deliveries,
)
from generators.customers import CUSTOMER_FILE_COLUMNS, customers_csv_bytes, generate_customers
from generators.spec import HVT, NEW_GROWING, STABLE
from generators.transaction_sql import HistoryWindow

AS_OF = date(2026, 10, 15)
N = 10_000


@pytest.fixture(scope="module")
def final() -> pd.DataFrame:
    return generate_customers(N, 42, AS_OF)


@pytest.fixture(scope="module")
def deliveries(final: pd.DataFrame):  # type: ignore[no-untyped-def]
    return customer_deliveries(final, 42, AS_OF, 18)


def _replay(deliveries) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Each customer's state after applying every delivery in updated_at order (what silver keeps)."""
    rows = pd.concat([deliveries.initial, deliveries.changes[list(CUSTOMER_FILE_COLUMNS)]])
    return (
        rows.sort_values(["customer_id", "updated_at"])
        .groupby("customer_id")
        .tail(1)
        .set_index("customer_id")
    )


def test_history_ends_at_the_generated_portfolio(final: pd.DataFrame, deliveries) -> None:  # type: ignore[no-untyped-def]
    latest = _replay(deliveries)
    expected = final.set_index("customer_id")
    assert (latest.loc[expected.index, "card_type"] == expected["card_type"]).all()
    assert (latest.loc[expected.index, "credit_limit"] == expected["credit_limit"]).all()
    assert validate_deliveries(deliveries) == []


def test_changes_are_dated_inside_the_window_after_opening(deliveries) -> None:  # type: ignore[no-untyped-def]
    changes = deliveries.changes
    window = HistoryWindow.for_as_of(AS_OF, 18)
    at = pd.to_datetime(changes["updated_at"])
    assert (at >= pd.Timestamp(window.first_month_start)).all() and (at < pd.Timestamp(AS_OF)).all()
    assert (at > pd.to_datetime(changes["account_open_date"])).all()
    attrited = changes[
        changes["attrition_date"].notna() & changes["change_kind"].isin([UPGRADE, LIMIT_INCREASE])
    ]
    assert (pd.to_datetime(attrited["updated_at"]) < pd.to_datetime(attrited["attrition_date"])).all()
    assert (deliveries.initial["updated_at"] == pd.to_datetime(deliveries.initial["account_open_date"])).all()


def test_upgrades_concentrate_in_travelers_and_new_customers(deliveries) -> None:  # type: ignore[no-untyped-def]
    changes = deliveries.changes
    customers = deliveries.initial.groupby("customer_segment").size()
    upgrades = changes[changes["change_kind"] == UPGRADE].groupby("customer_segment").size()
    rate = (upgrades / customers).fillna(0)
    assert rate[HVT] > 3 * rate[STABLE] and rate[NEW_GROWING] > 2 * rate[STABLE]
    before = changes[changes["change_kind"] == UPGRADE]
    assert (before["card_type"] == "Premium").all()
    assert set(changes["change_kind"]) == {UPGRADE, LIMIT_INCREASE, LIMIT_DECREASE}
    assert changes["customer_id"].nunique() > 0.1 * N  # plenty of SCD2 history
    assert (changes.groupby("customer_id").size() <= 2).all()


def test_every_version_is_a_valid_card(deliveries) -> None:  # type: ignore[no-untyped-def]
    versions = pd.concat([deliveries.initial, deliveries.changes[list(CUSTOMER_FILE_COLUMNS)]])
    limits = versions["credit_limit"]
    assert limits.between(5_000, 50_000).all() and (limits % 1_000 == 0).all()
    assert (versions.loc[versions["card_type"] == "Premium", "credit_limit"] >= 15_000).all()
    increases = deliveries.changes[deliveries.changes["change_kind"] == LIMIT_INCREASE]
    previous = deliveries.initial.set_index("customer_id")["credit_limit"]
    only_increase = increases[~increases["customer_id"].duplicated(keep=False)]
    assert (
        only_increase["credit_limit"].to_numpy() > previous.loc[only_increase["customer_id"]].to_numpy()
    ).all()


def test_monthly_change_files_and_reproducible_bytes(final: pd.DataFrame, deliveries) -> None:  # type: ignore[no-untyped-def]
    files = deliveries.change_files()
    assert sum(len(rows) for rows in files.values()) == len(deliveries.changes)
    for key, rows in files.items():
        assert is_change_file(key) and list(rows.columns) == list(CUSTOMER_FILE_COLUMNS)
        month = key.rsplit("_", 1)[1][:6]
        assert set(pd.to_datetime(rows["updated_at"]).dt.strftime("%Y%m")) == {month}
    assert not is_change_file("customers/changes.csv") and is_change_file(change_file_key("202601"))
    again = customer_deliveries(final, 42, AS_OF, 18)
    assert customers_csv_bytes(again.initial) == customers_csv_bytes(deliveries.initial)
    assert all(
        customers_csv_bytes(a) == customers_csv_bytes(b)
        for a, b in zip(again.change_files().values(), files.values(), strict=True)
    )
    other = customer_deliveries(final, 43, AS_OF, 18)
    assert not other.changes[["customer_id", "updated_at"]].equals(
        deliveries.changes[["customer_id", "updated_at"]]
    )


def test_header_is_the_file_contract(deliveries) -> None:  # type: ignore[no-untyped-def]
    header = customers_csv_bytes(deliveries.initial).split(b"\n", 1)[0].decode()
    assert header.split(",") == list(CUSTOMER_FILE_COLUMNS) and header.endswith("updated_at")
    first_change = next(iter(deliveries.change_files().values()))
    line = customers_csv_bytes(first_change).split(b"\n")[1].decode()
    assert line.rsplit(",", 1)[1].count(":") == 2  # updated_at as YYYY-MM-DD HH:MM:SS
