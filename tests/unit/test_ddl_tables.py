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


def test_the_per_batch_paths_provision_once_per_session() -> None:
    """The pipe and the alert evaluation run their idempotent DDL once per session: on the lake every DDL
    statement is a catalog change, and both run for every streamed batch."""
    from c360.alerts.evaluation import ensure_alert_tables
    from c360.engines.duckdb import DuckDBSession
    from c360.landing.pipe import ensure_pipe_tables

    session = DuckDBSession.in_memory()
    try:
        ensure_pipe_tables(session)
        ensure_alert_tables(session)
        session.execute("drop table OBSERVABILITY.ALERT_EVENTS")
        session.execute("drop table OBSERVABILITY.LOAD_HISTORY cascade")
        ensure_pipe_tables(session)  # already provisioned by this session: no DDL runs again
        ensure_alert_tables(session)
        assert not session.table_exists("OBSERVABILITY", "ALERT_EVENTS")
        assert not session.table_exists("OBSERVABILITY", "LOAD_HISTORY")
        other = DuckDBSession(session.con, None, False)  # a new session on the same database provisions
        ensure_alert_tables(other)
        assert session.table_exists("OBSERVABILITY", "ALERT_EVENTS")
    finally:
        session.close()
