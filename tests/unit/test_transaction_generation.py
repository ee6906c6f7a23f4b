"""Properties of the in-warehouse transaction generator, run on DuckDB at small scale."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from c360.engines.duckdb import DuckDBSession
from c360.names import CUSTOMERS_KEY
from c360.reference import CATEGORIES
from c360.steps.provision import provision_warehouse
from c360.transform.build_state import bronze_checksum
from generators.customers import generate_customers
from generators.transaction_sql import HistoryWindow, render_transactions_sql

AS_OF = date(2026, 10, 15)
N = 2_000


def build(n: int, seed: int, as_of: date = AS_OF, months: int = 18) -> DuckDBSession:
    session = DuckDBSession.in_memory()
    provision_warehouse(session)
    frame = generate_customers(n, seed, as_of)
    frame["source_file"] = CUSTOMERS_KEY
    frame["source_row_number"] = range(1, n + 1)
    session.insert_frame("BRONZE.BRONZE_CUSTOMERS", frame)
    session.execute(
        render_transactions_sql("duckdb", seed=seed, as_of=as_of, months=months), [datetime(2026, 10, 15, 1)]
    )
    return session


@pytest.fixture(scope="module")
def bronze() -> DuckDBSession:
    return build(N, 42)


@pytest.fixture(scope="module")
def monthly(bronze: DuckDBSession) -> pd.DataFrame:
    return bronze.query(
        """
        with w as (select min(date_trunc('month', transaction_date)) as first_month from BRONZE.BRONZE_TRANSACTIONS)
        select c.customer_id, c.customer_segment, c.decline_type, c.campaign_group, c.attrition_date,
               date_diff('month', w.first_month, date_trunc('month', t.transaction_date)) + 1 as month_number,
               sum(t.transaction_amount) as spend, count(*) as n
        from BRONZE.BRONZE_TRANSACTIONS t join BRONZE.BRONZE_CUSTOMERS c using (customer_id), w
        where t.status = 'approved'
        group by all
        """
    )


def test_volume_is_about_fifteen_per_customer_month(bronze: DuckDBSession) -> None:
    rows = int(bronze.scalar("select count(*) from BRONZE.BRONZE_TRANSACTIONS"))
    per_customer_month = rows / N / 18
    assert 13.5 <= per_customer_month <= 16.5, per_customer_month


def test_no_future_dates_no_bad_amounts_no_orphans(bronze: DuckDBSession) -> None:
    stats = bronze.query(
        """
        select max(transaction_date) as last_at, min(transaction_date) as first_at,
               min(transaction_amount) as min_amount, max(transaction_amount) as max_amount,
               count(*) filter (where customer_id not in (select customer_id from BRONZE.BRONZE_CUSTOMERS)) as orphans,
               count(*) filter (where transaction_id is null or customer_id is null) as null_keys
        from BRONZE.BRONZE_TRANSACTIONS
        """
    ).iloc[0]
    assert stats.last_at < pd.Timestamp(AS_OF)
    assert stats.first_at >= pd.Timestamp(HistoryWindow.for_as_of(AS_OF, 18).first_month_start)
    assert float(stats.min_amount) > 0 and float(stats.max_amount) < 50_000
    assert stats.orphans == 0 and stats.null_keys == 0


def test_every_customer_transacts_and_none_before_account_open(bronze: DuckDBSession) -> None:
    assert bronze.scalar("select count(distinct customer_id) from BRONZE.BRONZE_TRANSACTIONS") == N
    early = bronze.scalar(
        "select count(*) from BRONZE.BRONZE_TRANSACTIONS t join BRONZE.BRONZE_CUSTOMERS c using (customer_id) "
        "where t.transaction_date < c.account_open_date"
    )
    assert early == 0


def test_controlled_duplicates_and_nulls(bronze: DuckDBSession) -> None:
    row = bronze.query(
        "select count(*) as n, count(distinct transaction_id) as ids, "
        "count(*) filter (where merchant_category is null) as null_categories from BRONZE.BRONZE_TRANSACTIONS"
    ).iloc[0]
    dup_rate = (row.n - row.ids) / row.n
    assert 0.0005 < dup_rate < 0.002
    assert 0 < row.null_categories / row.n < 0.002
    same = bronze.scalar(
        "select count(*) from (select transaction_id from BRONZE.BRONZE_TRANSACTIONS group by transaction_id "
        "having count(*) > 1 and count(distinct transaction_amount) > 1)"
    )
    assert same == 0, "a duplicate delivery repeats the same transaction"


def test_categories_channels_statuses(bronze: DuckDBSession) -> None:
    cats = set(
        bronze.query("select distinct merchant_category from BRONZE.BRONZE_TRANSACTIONS")[
            "merchant_category"
        ].dropna()
    )
    assert cats == {c.name for c in CATEGORIES}
    assert set(bronze.query("select distinct channel from BRONZE.BRONZE_TRANSACTIONS")["channel"]) == {
        "Online",
        "In-Store",
        "Mobile",
    }
    declined = bronze.scalar(
        "select avg(case when status = 'declined' then 1.0 else 0 end) from BRONZE.BRONZE_TRANSACTIONS"
    )
    assert 0.01 < float(declined) < 0.04
    names = bronze.scalar("select count(distinct merchant_name) from BRONZE.BRONZE_TRANSACTIONS")
    assert names >= 100


def test_segments_have_distinct_patterns(bronze: DuckDBSession, monthly: pd.DataFrame) -> None:
    spend = (
        monthly[monthly.month_number.between(2, 9)].groupby("customer_segment")["spend"].sum()
        / monthly[monthly.month_number.between(2, 9)].groupby("customer_segment")["customer_id"].nunique()
        / 8
    )
    assert spend["High-Value Travelers"] > 5_000
    assert spend["Budget-Conscious"] < 1_000
    travel = bronze.query(
        """
        select c.customer_segment, sum(case when merchant_category in ('Airlines','Hotels','Travel','Car Rental')
               then transaction_amount else 0 end) / sum(transaction_amount) as travel_share,
               sum(case when merchant_category in ('Grocery','Gas','Utilities','Healthcare','Pharmacy','Telecom',
               'Insurance','Public Transit') then transaction_amount else 0 end) / sum(transaction_amount) as needs
        from BRONZE.BRONZE_TRANSACTIONS t join BRONZE.BRONZE_CUSTOMERS c using (customer_id) group by 1
        """
    ).set_index("customer_segment")
    assert travel.loc["High-Value Travelers", "travel_share"] > 0.5
    assert travel.loc["Budget-Conscious", "needs"] > 0.75


def test_decline_is_visible(monthly: pd.DataFrame) -> None:
    retained = monthly[monthly.attrition_date.isna()]
    per = retained.pivot_table(
        index=["customer_id", "decline_type"],
        columns="month_number",
        values="spend",
        aggfunc="sum",
        fill_value=0,
    ).reset_index()
    early = per[[m for m in range(2, 8)]].mean(axis=1)
    late = per[[17]].mean(axis=1)
    ratio = (late / early).groupby(per["decline_type"]).median()
    assert ratio["gradual"] < 0.6
    assert ratio["sudden"] < 0.6


def test_campaign_lift_is_visible(monthly: pd.DataFrame) -> None:
    """The offer lifts ticket size for the treatment group after month 16; compare against each customer's
    own pre-decline baseline (months 2-7) so the decline itself cancels out."""
    declining = monthly[monthly.customer_segment == "Declining"].copy()
    declining["period"] = declining.month_number.map(
        lambda m: "base" if 2 <= m <= 7 else "post" if m >= 17 else None
    )
    declining = declining.dropna(subset=["period"])
    tickets = declining.groupby(["customer_id", "campaign_group", "period"])[["spend", "n"]].sum()
    tickets = (tickets.spend / tickets.n).unstack().dropna()
    change = (tickets.post / tickets.base).groupby(level="campaign_group").median()
    assert change["treatment"] > change["control"] * 1.08


def test_dormant_customers_stop(bronze: DuckDBSession) -> None:
    late = bronze.scalar(
        "select count(*) from BRONZE.BRONZE_TRANSACTIONS t join BRONZE.BRONZE_CUSTOMERS c using (customer_id) "
        "where c.attrition_type = 'dormant' and t.transaction_date >= c.attrition_date"
    )
    assert late == 0


def test_reproducible_and_seed_sensitive() -> None:
    a = bronze_checksum(build(150, 9), "BRONZE_TRANSACTIONS")
    b = bronze_checksum(build(150, 9), "BRONZE_TRANSACTIONS")
    c = bronze_checksum(build(150, 10), "BRONZE_TRANSACTIONS")
    assert a == b
    assert a != c


def test_shorter_history_respects_months() -> None:
    session = build(100, 3, months=6)
    months = session.scalar(
        "select count(distinct date_trunc('month', transaction_date)) from BRONZE.BRONZE_TRANSACTIONS"
    )
    assert months == 6


def test_volume_follows_the_hour_of_day_and_weekday_profile(bronze: DuckDBSession) -> None:
    from generators.spec import DEFAULT_SPEC

    hours = bronze.query(
        "select hour(transaction_date) as h, count(*) as n from BRONZE.BRONZE_TRANSACTIONS group by 1 order by 1"
    ).set_index("h")["n"]
    share = hours / hours.sum()
    expected = pd.Series([DEFAULT_SPEC.hour_factor(h) / 24 for h in range(24)])
    assert (share - expected).abs().max() < 0.004  # the profile, within sampling noise
    assert hours[3] < 0.15 * hours[18]  # nights are quiet, evenings busy
    days = bronze.query(
        "select isodow(transaction_date) as d, count(*) as n from BRONZE.BRONZE_TRANSACTIONS group by 1 order by 1"
    ).set_index("d")["n"]
    assert days[6] > 1.1 * days[1] and days[5] > days[3]  # Saturday and Friday beat Monday and Wednesday
    bounds = bronze.query(
        "select min(transaction_amount) as lo, max(transaction_amount) as hi from BRONZE.BRONZE_TRANSACTIONS"
    )
    assert float(bounds.lo.iloc[0]) >= 1.0 and float(bounds.hi.iloc[0]) < 10_000  # the seed's bounds
