"""The Snowflake rendering of the dbt project, exercised without a Snowflake account.

dbt-snowflake builds the whole project (seeds, snapshot, models, data tests, unit tests) against the
fakesnow emulator (tests/support/fakesnow_server.py) on a small hand-made bronze sample, then runs the
incremental refresh; every compiled statement must also parse as Snowflake SQL and call only functions on a reviewed
list of Snowflake functions (fakesnow itself would accept DuckDB-only ones). fakesnow proves the SQL compiles and runs through a Snowflake front end,
not Snowflake's exact types (its SUMs come back as FLOAT, hence the tolerances below).
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import snowflake.connector
import sqlglot
from snowflake.connector import SnowflakeConnection
from snowflake.connector.cursor import SnowflakeCursor
from sqlglot.dialects.snowflake import Snowflake
from sqlglot.tokens import TokenType

from c360.config import Settings
from c360.engines.base import split_statements
from c360.paths import REPO_ROOT
from c360.sqlfiles import load_sql
from c360.transform.dbt import ML_SELECTOR, DbtPaths, refresh_args, run_dbt
from tests.conftest import AS_OF

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# fakesnow has no COMMENT ON and no masking policies (their statements: tests/unit/test_masking.py)
NO_DOCS = {"persist_docs": False, "masking_policies": False}
INGESTED = datetime(2026, 10, 15, 1, 0, 0)

CUSTOMERS = [
    # id, first, last, email, age, state, city, employment, card, limit, opened, segment, decline, campaign
    ("CUST00000001", "Ada", "Lovelace", "ada@example.com", 36, "NY", "Buffalo", "Employed", "Premium", 40000, "2018-03-01", "High-Value Travelers", None, None),
    ("CUST00000002", "Bo", "O'Brien", "bo@example.com", 51, "TX", "Austin", "Retired", "Standard", 12000, "2016-07-15", "Declining", "gradual", "treatment"),
    ("CUST00000003", "Cy", "Young", "cy@example.com", 44, "CA", "Fresno", "Employed", "Standard", 9000, "2017-01-20", "Declining", "sudden", "control"),
    ("CUST00000004", "Di", "Ng", "di@example.com", 24, "WA", "Seattle", "Employed", "Standard", 6000, "2026-05-20", "New & Growing", None, None),
]  # fmt: skip

TRANSACTIONS = [
    # id, customer, date, amount, merchant, category, channel, status, source row
    ("TXN1", "CUST00000001", "2026-09-01 10:00:00", 1200.00, "Delta Air Lines", "Airlines", "Online", "approved", 1),
    ("TXN2", "CUST00000001", "2026-09-20 19:30:00", 300.50, "Hilton", "Hotels", "Online", "approved", 2),
    ("TXN2", "CUST00000001", "2026-09-20 19:30:00", 999.99, "Hilton", "Hotels", "Online", "approved", 3),
    ("TXN3", "CUST00000001", "2026-04-02 08:00:00", 45.25, "Shell", None, "In-Store", "approved", 4),
    ("TXN4", "CUST00000002", "2026-05-10 12:00:00", 800.00, "Kroger", "Grocery", "In-Store", "approved", 5),
    ("TXN5", "CUST00000002", "2026-09-12 12:00:00", 150.00, "Kroger", "Grocery", "In-Store", "approved", 6),
    ("TXN6", "CUST00000002", "2026-09-13 12:00:00", 75.00, "Target", "Retail", "In-Store", "declined", 7),
    ("TXN7", "CUST00000003", "2026-06-01 12:00:00", 600.00, "Verizon", "Telecom", "Online", "approved", 8),
    ("TXN8", "CUST00000003", "2026-10-01 12:00:00", 90.00, "CVS Pharmacy", "Pharmacy", "In-Store", "approved", 9),
    ("TXN9", "CUST00000004", "2026-08-01 12:00:00", 60.00, "Netflix", "Streaming Services", "Online", "approved", 10),
    ("TXN10", "CUST00000004", "2026-10-10 12:00:00", 240.00, "Amazon", "Online Marketplace", "Online", "approved", 11),
]  # fmt: skip

STREAMED = [
    ("TXS1", "CUST00000004", "2026-10-15 03:00:00", 19.99, "Amazon", "Online Marketplace", "Mobile", "approved", 1),
    ("TXN1", "CUST00000001", "2026-09-01 10:00:00", 1.00, "Delta Air Lines", "Airlines", "Online", "approved", 2),
]  # fmt: skip

EXPECTED_LTV = {
    "CUST00000001": 1545.75,
    "CUST00000002": 950.00,
    "CUST00000003": 690.00,
    "CUST00000004": 300.00,
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def fakesnow_port() -> Iterator[int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fakesnow_server", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the fakesnow server did not start")
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def snowflake_settings(fakesnow_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    env = {"SNOWFLAKE_ACCOUNT": "fakesnow", "SNOWFLAKE_USER": "dbt", "SNOWFLAKE_PASSWORD": "unused"}
    with pytest.MonkeyPatch.context() as patch:
        # the emulator's address; production profiles leave these empty
        patch.setenv("SNOWFLAKE_HOST", "127.0.0.1")
        patch.setenv("SNOWFLAKE_PORT", str(fakesnow_port))
        patch.setenv("SNOWFLAKE_PROTOCOL", "http")
        home = tmp_path_factory.mktemp("snowflake") / "home"
        yield Settings.load(target="snowflake", home=home, as_of=AS_OF, env=env)


def _connect(port: int) -> SnowflakeConnection:
    return snowflake.connector.connect(
        account="fakesnow",
        user="dbt",
        password="unused",
        host="127.0.0.1",
        port=port,
        protocol="http",
        database="CUSTOMER_ANALYTICS",
        schema="BRONZE",
        paramstyle="qmark",
        login_timeout=30,
    )


def _load_bronze(port: int) -> None:
    con = _connect(port)
    try:
        cur = con.cursor()
        for name in ("ddl/schemas", "ddl/bronze", "ddl/observability", "ddl/gold"):
            for statement in split_statements(load_sql(name, "snowflake")):
                cur.execute(statement)
        for i, row in enumerate(CUSTOMERS, start=1):
            cur.execute(
                "insert into BRONZE.BRONZE_CUSTOMERS (customer_id, first_name, last_name, email, age, state, city, "
                "employment_status, card_type, credit_limit, account_open_date, customer_segment, decline_type, "
                "campaign_group, ingestion_timestamp, source_file, source_row_number) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'customers/customers.csv', ?)",
                [*row, INGESTED.isoformat(sep=" "), i],
            )
        _insert_transactions(cur, TRANSACTIONS, INGESTED, "generator:test")
    finally:
        con.close()


def _insert_transactions(cur: SnowflakeCursor, rows: list[tuple], ingested: datetime, source: str) -> None:
    for row in rows:
        cur.execute(
            "insert into BRONZE.BRONZE_TRANSACTIONS (transaction_id, customer_id, transaction_date, "
            "transaction_amount, merchant_name, merchant_category, channel, status, ingestion_timestamp, "
            "source_file, source_row_number) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*row[:8], ingested.isoformat(sep=" "), source, row[8]],
        )


def _query(port: int, sql: str) -> list[tuple]:
    con = _connect(port)
    try:
        return con.cursor().execute(sql).fetchall()
    finally:
        con.close()


def test_project_builds_and_refreshes_on_the_snowflake_emulator(
    fakesnow_port: int, snowflake_settings: Settings
) -> None:
    _load_bronze(fakesnow_port)

    result = run_dbt(snowflake_settings, ["build", "--exclude", ML_SELECTOR], vars=NO_DOCS, timeout=600)
    assert result.ok, result.failures
    assert result.models_run >= 20 and result.tests_passed >= 130 and result.tests_failed == 0
    assert sum(n.resource_type == "unit_test" and n.status == "pass" for n in result.nodes) == 3

    assert _query(fakesnow_port, "select count(*) from SILVER.STG_TRANSACTIONS") == [(10,)]
    ltv = dict(_query(fakesnow_port, "select customer_id, lifetime_value from GOLD.CUSTOMER_360_PROFILE"))
    assert {k: float(v) for k, v in ltv.items()} == pytest.approx(EXPECTED_LTV)
    categories = _query(
        fakesnow_port,
        "select c.category_name from GOLD.FCT_TRANSACTIONS f join GOLD.DIM_MERCHANT_CATEGORY c "
        "on f.merchant_category_key = c.category_key where f.transaction_id = 'TXN3'",
    )
    assert categories == [("Uncategorized",)]
    groups = dict(_query(fakesnow_port, "select campaign_group, customers from GOLD.CAMPAIGN_PERFORMANCE"))
    assert groups == {"treatment": 1, "control": 1}
    runs = _query(
        fakesnow_port,
        f"select status, models_run from OBSERVABILITY.PIPELINE_RUN_METADATA where run_id = '{result.run_id}'",
    )
    assert runs == [("SUCCESS", result.models_run)]

    # incremental refresh through the Snowflake branches (append, delete+insert, the as-of guard)
    con = _connect(fakesnow_port)
    try:
        _insert_transactions(
            con.cursor(),
            STREAMED,
            datetime(2026, 10, 15, 4, 0, 0),
            "transactions/streaming/2026/10/15/03/batch.csv",
        )
    finally:
        con.close()
    refresh = run_dbt(snowflake_settings, refresh_args(), vars=NO_DOCS, timeout=600)
    assert refresh.ok, refresh.failures
    assert _query(fakesnow_port, "select count(*) from SILVER.STG_TRANSACTIONS") == [(11,)]
    ltv = dict(_query(fakesnow_port, "select customer_id, lifetime_value from GOLD.METRIC_CUSTOMER_LTV"))
    assert float(ltv["CUST00000004"]) == pytest.approx(319.99)
    assert float(ltv["CUST00000001"]) == pytest.approx(EXPECTED_LTV["CUST00000001"]), (
        "a re-delivery adds nothing"
    )

    # every compiled statement parses as Snowflake SQL and calls only functions Snowflake has
    compiled = DbtPaths.for_settings(snowflake_settings).target_dir / "compiled" / "c360"
    files = [p for p in compiled.rglob("*.sql") if "/ml/" not in p.as_posix()]
    assert len(files) > 150
    for path in files:
        sqlglot.parse(path.read_text(), read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)
    called = {name for path in files for name in _called_functions(path.read_text())}
    assert called - SNOWFLAKE_FUNCTIONS == set(), "functions Snowflake does not have (or not yet reviewed)"


# Functions the compiled project calls, each checked against Snowflake's SQL reference. fakesnow runs
# Snowflake SQL on DuckDB and would accept DuckDB-only functions too, so this list is the guard against
# a DuckDB-ism leaking into the shared SQL; a new function is added here after checking the reference.
SNOWFLAKE_FUNCTIONS = frozenset(
    {
        "avg", "cast", "coalesce", "count", "date_trunc", "dateadd", "datediff", "day", "dayofweekiso",
        "extract", "generator", "lag", "lead", "lower", "lpad", "max", "md5", "min", "month", "ntile",
        "nullif", "percent_rank", "regr_slope", "round", "row_number", "seq4", "sqrt", "stddev_samp", "sum",
        "trim", "try_cast", "upper", "var_samp", "weekiso", "year",
    }
)  # fmt: skip
# keywords and type names that precede a parenthesis without being function calls
_NOT_CALLS = frozenset(
    {"and", "as", "decimal", "exists", "from", "in", "join", "number", "or", "over", "table", "when"}
)


def _called_functions(sql: str) -> set[str]:
    tokens = Snowflake().tokenize(sql)
    return {
        name.text.lower()
        for name, after in itertools.pairwise(tokens)
        if after.token_type == TokenType.L_PAREN
        and name.token_type not in (TokenType.L_PAREN, TokenType.R_PAREN, TokenType.COMMA)
        and name.text.replace("_", "").isalnum()
        and not name.text.isdigit()
        and name.text.lower() not in _NOT_CALLS
    }


def test_the_function_check_catches_duckdb_only_sql() -> None:
    duckdb_sql = "select isodow(d), strftime(d, '%Y'), hash(x) from range(5) where x in (1)"
    assert _called_functions(duckdb_sql) - SNOWFLAKE_FUNCTIONS == {"isodow", "strftime", "hash", "range"}
    assert _called_functions("select dayofweekiso(d), weekiso(d) from t") <= SNOWFLAKE_FUNCTIONS
