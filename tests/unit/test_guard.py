from __future__ import annotations

import pytest

from c360.engines.duckdb import DuckDBSession
from c360.grants import GRANT_MATRIX, Role, can_read, readable_schemas
from c360.guard import GuardError, guard_select, run_guarded


def test_grant_matrix_is_as_defined() -> None:
    assert readable_schemas(Role.MARKETING_MANAGER) == {"GOLD"}
    assert readable_schemas(Role.DATA_ANALYST) == {"BRONZE", "SILVER", "GOLD", "OBSERVABILITY"}
    assert readable_schemas(Role.DATA_SCIENTIST) == {"SILVER", "GOLD"}
    assert readable_schemas(Role.DATA_ENGINEER) == {"BRONZE", "SILVER", "GOLD", "OBSERVABILITY"}
    assert not can_read("marketing_manager", "bronze")
    assert len({(g.role, g.schema) for g in GRANT_MATRIX}) == len(GRANT_MATRIX)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("", "empty query"),
        ("delete from gold.customer_360_profile", "only SELECT statements"),
        ("drop table gold.customer_360_profile", "only SELECT statements"),
        ("insert into gold.x values (1)", "only SELECT statements"),
        ("update gold.x set a = 1", "only SELECT statements"),
        ("create table gold.y as select 1", "only SELECT statements"),
        ("select 1; drop table gold.x", "exactly one statement"),
        ("select * from gold.x; -- trailing", None),
        ("select * from bronze.bronze_customers", "may not read BRONZE.BRONZE_CUSTOMERS"),
        ("select * from silver.stg_transactions", "may not read SILVER"),
        ("select * from observability.quarantine", "may not read OBSERVABILITY"),
        ("select * from information_schema.tables", "may not read INFORMATION_SCHEMA"),
        ("select * from read_csv('/etc/passwd')", "read_csv"),
        ("select * from read_parquet('x.parquet')", "read_parquet"),
        ("select * from glob('/*')", "glob"),
        ("select getenv('HOME')", "getenv"),
        ("select * from gold.x where a = 1 /* ; drop table gold.x */", None),
        ("select * from other_db.gold.x", "database other_db is not allowed"),
        ("with t as (select * from bronze.bronze_transactions) select * from t", "may not read BRONZE"),
        ("select * from gold.x union all select * from silver.y", "may not read SILVER"),
        ("attach 'x.db' as y", "only SELECT"),
        ("pragma database_list", "only SELECT"),
        ("select from where", "not valid SQL"),
    ],
)
def test_guard_refuses_with_a_clear_reason(sql: str, reason: str | None) -> None:
    if reason is None:
        assert guard_select(sql, Role.MARKETING_MANAGER).sql.upper().startswith("SELECT")
    else:
        with pytest.raises(GuardError, match=reason):
            guard_select(sql, Role.MARKETING_MANAGER)


def test_guard_applies_row_limit_and_qualifies_tables() -> None:
    g = guard_select("select * from customer_360_profile", "MARKETING_MANAGER", max_rows=50)
    assert g.sql.endswith("LIMIT 50") and "gold.customer_360_profile" in g.sql.lower()
    assert g.tables == ("GOLD.CUSTOMER_360_PROFILE",)
    assert guard_select("select * from gold.x limit 5", "MARKETING_MANAGER", max_rows=50).sql.endswith(
        "LIMIT 5"
    )
    assert guard_select("select * from gold.x limit 500", "MARKETING_MANAGER", max_rows=50).sql.endswith(
        "LIMIT 50"
    )


def test_run_guarded_binds_parameters_and_times_out() -> None:
    session = DuckDBSession.in_memory()
    session.run_script(
        "create schema gold; create table gold.people as select 'O''Brien' as name, 1 as id;"
        "create table gold.numbers as select range as i from range(100000)"
    )
    frame = run_guarded(
        session, "select id from gold.people where name = ?", "MARKETING_MANAGER", ["O'Brien"]
    )
    assert frame["id"].tolist() == [1]
    with pytest.raises(GuardError, match="timed out"):
        run_guarded(
            session,
            "select count(*) from gold.numbers a, gold.numbers b where a.i * b.i % 7 = 3",
            "MARKETING_MANAGER",
            timeout_seconds=0.3,
        )
