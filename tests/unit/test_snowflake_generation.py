"""The Snowflake rendering of the generator parses as Snowflake SQL and runs on the fakesnow emulator."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlglot
from sqlglot import exp

from c360.engines.base import split_statements
from c360.sqlfiles import load_sql
from generators.customers import generate_customers
from generators.transaction_sql import render_transactions_sql

AS_OF = date(2026, 10, 15)


def test_snowflake_rendering_parses_as_snowflake() -> None:
    sql = render_transactions_sql("snowflake", seed=42, as_of=AS_OF, months=18)
    tree = sqlglot.parse_one(sql, read="snowflake")
    assert isinstance(tree, exp.Insert)
    text = sql.lower()
    assert "table(generator(rowcount =>" in text
    assert "range(" not in text and "to_seconds" not in text


def test_duckdb_rendering_has_no_snowflake_constructs() -> None:
    sql = render_transactions_sql("duckdb", seed=42, as_of=AS_OF, months=18).lower()
    assert "generator(" not in sql and "dateadd(" not in sql and "bitand" not in sql


def test_both_dialects_come_from_the_same_spec() -> None:
    duck = render_transactions_sql("duckdb", seed=1, as_of=AS_OF, months=18)
    snow = render_transactions_sql("snowflake", seed=1, as_of=AS_OF, months=18)
    for literal in ("'High-Value Travelers' then 26.0", "Delta Air Lines", "0.001", "2025-05-01 00:00:00"):
        assert literal in duck and literal in snow


@pytest.mark.timeout(180)
def test_snowflake_rendering_runs_on_fakesnow() -> None:
    fakesnow = pytest.importorskip("fakesnow")
    import snowflake.connector

    with fakesnow.patch():
        con = snowflake.connector.connect(database="CUSTOMER_ANALYTICS", schema="BRONZE", paramstyle="qmark")
        cur = con.cursor()
        cur.execute("create database if not exists CUSTOMER_ANALYTICS")
        cur.execute("use database CUSTOMER_ANALYTICS")
        for name in ("ddl/schemas", "ddl/bronze"):
            for statement in split_statements(load_sql(name)):
                cur.execute(statement)
        frame = generate_customers(40, 3, AS_OF)
        frame["source_file"] = "customers/customers.csv"
        frame["source_row_number"] = range(1, 41)
        columns = list(frame.columns)
        rows = [tuple(None if v != v else v for v in r) for r in frame.astype(object).itertuples(index=False)]
        cur.executemany(
            f"insert into BRONZE.BRONZE_CUSTOMERS ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
            rows,
        )
        cur.execute(
            render_transactions_sql("snowflake", seed=3, as_of=AS_OF, months=18), [datetime(2026, 10, 15)]
        )
        cur.execute(
            "select count(*), count(distinct customer_id), max(transaction_date), min(transaction_amount) "
            "from BRONZE.BRONZE_TRANSACTIONS"
        )
        count, customers, last_at, min_amount = cur.fetchone()
    assert 40 * 18 * 8 < count < 40 * 18 * 25
    assert customers == 40
    assert last_at < datetime(2026, 10, 15)
    assert min_amount > 0


def test_provision_on_snowflake_skips_schema_creation_when_the_stack_made_them() -> None:
    """DATA_ENGINEER cannot CREATE DATABASE/SCHEMA; Snowflake checks that even for `if not exists`."""
    import pandas as pd

    from c360.steps.provision import provision_warehouse

    class FakeSnowflake:
        dialect = "snowflake"

        def __init__(self, existing: list[str]) -> None:
            self.existing = existing
            self.scripts: list[str] = []

        def query(self, sql: str, params: object = ()) -> pd.DataFrame:
            return pd.DataFrame({"schema_name": self.existing})

        def run_script(self, sql: str) -> None:
            self.scripts.append(sql)

    deployed = FakeSnowflake(["BRONZE", "SILVER", "GOLD", "OBSERVABILITY", "INFORMATION_SCHEMA"])
    provision_warehouse(deployed)  # type: ignore[arg-type]
    assert not any("create database" in s.lower() for s in deployed.scripts)
    assert any("bronze_transactions" in s.lower() for s in deployed.scripts)
    bare = FakeSnowflake([])
    provision_warehouse(bare)  # type: ignore[arg-type]
    assert "create database if not exists" in bare.scripts[0].lower()
