"""Snowflake's METADATA$FILENAME, as documented, and the `source_file` a COPY records from it.

Snowflake documents METADATA$FILENAME as the "name of the staged data file the current row belongs to.
Includes the full path to the data file" (https://docs.snowflake.com/en/user-guide/querying-metadata).
For an external stage on s3://bucket/customers/ that is the object's path in the bucket
(`customers/customers.csv`), not the path relative to the stage URL (`customers.csv`). The COPY
statements (sql/load/customers.snowflake.sql, sql/snowpipe/bronze_transactions.snowflake.sql) record
`source_file` with an expression that gives the bucket key under either reading.

The local pipe does not re-implement that expression: it evaluates the Snowflake pipe's own `source_file`
expression (parsed from the .snowflake.sql file, transpiled with sqlglot) on the documented
METADATA$FILENAME, so a wrong expression fails the local tests exactly as it would fail in Snowflake.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final
from urllib.parse import urlparse

import sqlglot
from sqlglot import exp

from c360.engines.base import WarehouseSession
from c360.errors import LoadError
from c360.sqlfiles import load_sql

PIPE_SQL: Final = "snowpipe/bronze_transactions"
METADATA_FILENAME: Final = "metadata$filename"


def metadata_filename(stage_url: str, relative_path: str) -> str:
    """METADATA$FILENAME of the file at `relative_path` under a stage whose URL is `stage_url`: the full
    path of the file in its storage location (the stage URL's path included)."""
    base = urlparse(stage_url).path.lstrip("/")
    if base and not base.endswith("/"):
        base += "/"
    return f"{base}{relative_path.lstrip('/')}"


def source_file_expression(copy_sql: str, column: str = "source_file") -> exp.Expr:
    """The expression a COPY transformation loads into `column` (e.g. the pipe's source_file)."""
    tree = sqlglot.parse_one(copy_sql, read="snowflake")
    if not isinstance(tree, exp.Copy) or not isinstance(tree.this, exp.Schema):
        raise LoadError(f"not a COPY INTO <table> (<columns>) statement: {copy_sql[:80]}")
    columns = [c.name.lower() for c in tree.this.expressions]
    source = tree.args["files"][0]
    select = source.this if isinstance(source, exp.Subquery) else None
    if column not in columns or not isinstance(select, exp.Select):
        raise LoadError(f"the COPY statement does not load {column} through a transformation")
    expression: exp.Expr = select.expressions[columns.index(column)]  # sqlglot lists args untyped
    return expression


@lru_cache(maxsize=8)
def _bound_source_file_sql(sql_name: str, dialect: str) -> tuple[str, int]:
    """`select <source_file expression> as source_file` in `dialect`, METADATA$FILENAME bound as `?`."""
    expression = source_file_expression(load_sql(sql_name, "snowflake")).copy()
    uses = 0
    for column in list(expression.find_all(exp.Column)):
        if column.name.lower() == METADATA_FILENAME:
            column.replace(exp.Placeholder())
            uses += 1
    return f"select {expression.sql(dialect=dialect)} as source_file", uses


def recorded_source_file(
    session: WarehouseSession, stage_url: str, relative_path: str, sql_name: str = PIPE_SQL
) -> str:
    """The `source_file` the Snowflake COPY in sql/<sql_name>.snowflake.sql records for this file."""
    dialect = "duckdb" if session.dialect == "duckdb" else "snowflake"
    sql, uses = _bound_source_file_sql(sql_name, dialect)
    value = session.scalar(sql, [metadata_filename(stage_url, relative_path)] * uses)
    return str(value)
