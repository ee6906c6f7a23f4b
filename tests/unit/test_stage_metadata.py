"""METADATA$FILENAME as Snowflake documents it, and the source_file both COPY statements record from it.

Snowflake: METADATA$FILENAME is the "name of the staged data file ... Includes the full path to the data
file" (https://docs.snowflake.com/en/user-guide/querying-metadata). The recorded key must be the object's
key in the bucket under that reading and under the stage-relative one.
"""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from c360 import names
from c360.engines.duckdb import DuckDBSession
from c360.landing.stage_metadata import (
    metadata_filename,
    recorded_source_file,
    source_file_expression,
)
from c360.sqlfiles import load_sql

COPIES = {
    "load/customers": (f"s3://bucket/{names.CUSTOMERS_PREFIX}", "customers.csv", names.CUSTOMERS_KEY),
    "snowpipe/bronze_transactions": (
        f"s3://bucket/{names.STREAMING_PREFIX}",
        "2026/10/15/09/batch-0001.csv",
        f"{names.STREAMING_PREFIX}2026/10/15/09/batch-0001.csv",
    ),
}


def evaluate(expression: sqlglot.exp.Expression, filename: str) -> str:
    """The expression on DuckDB with METADATA$FILENAME bound to `filename`."""
    tree = expression.copy()
    for column in list(tree.find_all(sqlglot.exp.Column)):
        if column.name.lower() == "metadata$filename":
            column.replace(sqlglot.exp.Literal.string(filename))
    return str(duckdb.sql(f"select {tree.sql(dialect='duckdb')}").fetchone()[0])


def test_metadata_filename_is_the_full_path_in_the_bucket() -> None:
    assert metadata_filename("s3://bucket/customers/", "customers.csv") == "customers/customers.csv"
    assert (
        metadata_filename("s3://bucket/transactions/streaming", "2026/x.csv")
        == "transactions/streaming/2026/x.csv"
    )
    assert metadata_filename("s3://bucket", "a.csv") == "a.csv"


@pytest.mark.parametrize("sql_name", sorted(COPIES))
def test_source_file_is_the_bucket_key_under_either_reading(sql_name: str) -> None:
    stage_url, relative, key = COPIES[sql_name]
    expression = source_file_expression(load_sql(sql_name, "snowflake"))
    documented = metadata_filename(stage_url, relative)
    assert documented == key
    assert evaluate(expression, documented) == key  # the documented reading: full path
    assert evaluate(expression, relative) == key  # a stage-relative reading


def test_the_old_prefix_concatenation_is_caught() -> None:
    """What the COPYs used to do: prefix || METADATA$FILENAME doubles the prefix on the documented value."""
    old = sqlglot.parse_one("'customers/' || metadata$filename", read="snowflake")
    assert evaluate(old, metadata_filename("s3://bucket/customers/", "customers.csv")) == (
        "customers/customers/customers.csv"
    )


def test_the_local_pipe_evaluates_the_snowpipe_expression() -> None:
    session = DuckDBSession(duckdb.connect(), None, False)
    stage_url, relative, key = COPIES["snowpipe/bronze_transactions"]
    assert recorded_source_file(session, stage_url, relative) == key
    session.close()
