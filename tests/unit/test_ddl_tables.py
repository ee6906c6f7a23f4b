"""c360.ddl_tables: the bronze column definitions the stack declares are the DDL the runtime runs."""

from __future__ import annotations

import pytest

from c360 import names
from c360.config import Settings
from c360.ddl_tables import ddl_tables, parse_tables
from c360.engines import open_session
from c360.errors import C360Error
from c360.steps.provision import provision_warehouse


def test_parsed_columns_are_the_columns_duckdb_creates(small_settings: Settings) -> None:
    session = open_session(small_settings)
    try:
        provision_warehouse(session)
        for table in ddl_tables("ddl/bronze").values():
            frame = session.query(
                "select column_name from information_schema.columns "
                "where lower(table_schema) = lower(?) and lower(table_name) = lower(?) order by ordinal_position",
                [table.schema, table.name],
            )
            assert tuple(frame["column_name"].str.lower()) == table.column_names
    finally:
        session.close()


def test_types_and_defaults_map_to_snowflake() -> None:
    customers = ddl_tables("ddl/bronze")[names.BRONZE_CUSTOMERS]
    types = {c.name: c.snowflake_type for c in customers.columns}
    assert types["customer_id"] == "VARCHAR" and types["age"] == "NUMBER(38,0)"
    assert types["credit_limit"] == "NUMBER(12,2)" and types["account_open_date"] == "DATE"
    assert types["ingestion_timestamp"] == "TIMESTAMP_NTZ"
    defaults = {c.name: c.default_expression for c in customers.columns if c.default_expression}
    assert defaults == {"ingestion_timestamp": "CURRENT_TIMESTAMP()"}


def test_unqualified_or_unmapped_tables_are_rejected() -> None:
    with pytest.raises(C360Error, match="schema-qualified"):
        parse_tables("create table T (a varchar)")
    with pytest.raises(C360Error, match="no Snowflake mapping"):
        parse_tables("create table S.T (a blob)")
    assert parse_tables("create table S.T (a decimal(10))")[0].columns[0].snowflake_type == "NUMBER(10,0)"
