from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from c360.names import SEGMENTS
from c360.reference import GENERATOR_TRUTH_COLUMNS, STATES
from generators.customers import (
    customers_csv_bytes,
    generate_customers,
    quota_counts,
    validate_customers,
)
from generators.spec import DEFAULT_SPEC

AS_OF = date(2026, 10, 15)
STATE_BY_CODE = {s.code: s for s in STATES}


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_customers(10_000, 42, AS_OF)


@pytest.mark.parametrize("n", [1, 7, 100, 999, 10_000])
def test_segment_quota_is_exact(n: int) -> None:
    frame = generate_customers(n, 3, AS_OF)
    expected = dict(
        zip(SEGMENTS, quota_counts(n, [DEFAULT_SPEC.segments[s].share for s in SEGMENTS]), strict=True)
    )
    assert frame["customer_segment"].value_counts().reindex(SEGMENTS, fill_value=0).to_dict() == expected


def test_ids_are_sequential_and_formatted() -> None:
    frame = generate_customers(100, 1, AS_OF)
    assert list(frame["customer_id"]) == [f"CUST{i:08d}" for i in range(1, 101)]


def test_required_fields_have_no_nulls(customers: pd.DataFrame) -> None:
    required = [
        "customer_id",
        "first_name",
        "last_name",
        "email",
        "age",
        "state",
        "city",
        "employment_status",
        "card_type",
        "credit_limit",
        "account_open_date",
        "customer_segment",
    ]
    assert customers[required].notna().all().all()
    assert validate_customers(customers) == []


def test_credit_limits_are_whole_thousands_and_track_segment(customers: pd.DataFrame) -> None:
    limits = customers["credit_limit"]
    assert limits.between(5_000, 50_000).all() and (limits % 1_000 == 0).all()
    by_segment = customers.groupby("customer_segment")["credit_limit"].mean()
    assert (
        by_segment["High-Value Travelers"]
        > by_segment["Stable Mid-Spenders"]
        > by_segment["Budget-Conscious"]
    )
    assert (customers.loc[customers.card_type == "Premium", "credit_limit"] >= 15_000).all()


def test_emails_are_unique_and_follow_the_name(customers: pd.DataFrame) -> None:
    assert customers["email"].is_unique
    assert customers["email"].str.fullmatch(r"[a-z0-9.]+@[a-z.]+").all()
    last = customers["last_name"].str.lower().str.replace(r"[^a-z]", "", regex=True)
    assert all(ln in e for ln, e in zip(last, customers["email"], strict=True))


def test_states_and_cities_are_consistent(customers: pd.DataFrame) -> None:
    assert set(customers["state"]) <= set(STATE_BY_CODE)
    assert customers["state"].nunique() == 51
    assert all(
        c in STATE_BY_CODE[s].cities for s, c in zip(customers["state"], customers["city"], strict=True)
    )


def test_decline_type_and_campaign_only_for_declining(customers: pd.DataFrame) -> None:
    declining = customers["customer_segment"] == "Declining"
    assert customers.loc[declining, "decline_type"].isin(["gradual", "sudden"]).all()
    assert customers.loc[~declining, "decline_type"].isna().all()
    groups = customers.loc[declining, "campaign_group"].value_counts()
    assert abs(groups["treatment"] - groups["control"]) <= 1
    assert customers.loc[~declining, "campaign_group"].isna().all()


def test_new_and_growing_accounts_are_recent(customers: pd.DataFrame) -> None:
    opened = pd.to_datetime(customers["account_open_date"])
    age_days = (pd.Timestamp(AS_OF) - opened).dt.days
    new = customers["customer_segment"] == "New & Growing"
    assert age_days[new].between(90, 300).all()
    assert (age_days[~new] > 540).all()


def test_attrition_share_and_window(customers: pd.DataFrame) -> None:
    share = customers["attrition_date"].notna().mean()
    assert 0.2 < share < 0.35
    dates = pd.to_datetime(customers["attrition_date"].dropna())
    assert dates.min() >= pd.Timestamp(AS_OF - timedelta(days=300))
    assert dates.max() <= pd.Timestamp(AS_OF + timedelta(days=30))
    assert set(customers["attrition_type"].dropna()) == {"dormant", "fade"}
    assert set(GENERATOR_TRUTH_COLUMNS) <= set(customers.columns)


def test_same_seed_same_bytes_different_seed_different_data() -> None:
    a = customers_csv_bytes(generate_customers(500, 11, AS_OF))
    b = customers_csv_bytes(generate_customers(500, 11, AS_OF))
    c = customers_csv_bytes(generate_customers(500, 12, AS_OF))
    assert a == b
    assert a != c


def test_validation_catches_bad_rows() -> None:
    frame = generate_customers(100, 5, AS_OF)
    frame.loc[3, "customer_id"] = frame.loc[2, "customer_id"]
    frame.loc[4, "email"] = None
    frame.loc[5, "credit_limit"] = 4_500
    problems = " | ".join(validate_customers(frame))
    assert "duplicate customer_id" in problems
    assert "null value(s) in required column email" in problems
    assert "credit limit(s) outside" in problems


def test_rejects_non_positive_count() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        generate_customers(0, 1, AS_OF)
