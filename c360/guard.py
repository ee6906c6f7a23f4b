"""The query guard: every SQL the app, the assistant and `c360 sql` run passes through here.

Accepts exactly one read-only SELECT over tables the caller's role may read (the shared grant matrix),
caps the row count, and refuses everything else with a precise reason. Execution adds a timeout.
Personal data is masked for the caller's role as Snowflake's masking policies mask it (c360/masking.py, the
one definition of both): every table with personal columns is read through its masked projection.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd
import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import ParseError, TokenError

from c360 import names
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.grants import Role, readable_schemas
from c360.masking import columns_of, masked_projection_sql

log = logging.getLogger(__name__)

DEFAULT_MAX_ROWS: Final = 10_000
DEFAULT_TIMEOUT_SECONDS: Final = 30.0
DEFAULT_SCHEMA: Final = names.GOLD  # unqualified tables resolve here (the app's connection schema)

# Functions that read files, reach the network, expose settings or run nested SQL.
DENIED_FUNCTIONS: Final = frozenset(
    {
        "read_csv",
        "read_csv_auto",
        "read_parquet",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_ndjson",
        "read_text",
        "read_blob",
        "read_xlsx",
        "parquet_scan",
        "csv_scan",
        "json_scan",
        "sniff_csv",
        "glob",
        "parquet_metadata",
        "parquet_schema",
        "query",
        "query_table",
        "getenv",
        "current_setting",
        "duckdb_settings",
        "duckdb_secrets",
        "duckdb_databases",
        "duckdb_extensions",
        "load_extension",
        "install_extension",
        "system",
        "shell",
        "pg_read_file",
        "generator",
        "system$get_aws_sns_iam_policy",
        "get_presigned_url",
        "build_scoped_file_url",
        "build_stage_file_url",
        "get_stage_location",
        "parse_json_file",
        "infer_schema",
        "system$stream_has_data",
    }
)
FORBIDDEN_NODES: Final = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Command,
    exp.Merge,
    exp.Copy,
    exp.Set,
    exp.Use,
    exp.Pragma,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.TruncateTable,
    exp.Into,
)


class GuardError(C360Error):
    """The SQL was refused; the message says why."""


# SCHEMA.TABLE -> the relation's column names (lower case); empty when the relation does not exist
ColumnLookup = Callable[[str], frozenset[str]]


def relation_columns(session: WarehouseSession) -> ColumnLookup:
    """The columns of each relation as the session's catalog has them (cached for the lookup's lifetime), so
    masking replaces only personal columns the table really has."""
    return catalog_columns(lambda sql, params: session.query(sql, params)["name"].tolist())


def catalog_columns(names: Callable[[str, list[object]], Sequence[object]]) -> ColumnLookup:
    """relation_columns over any runner of the catalog query (`names(sql, params)` returns its one column)."""
    found: dict[str, frozenset[str]] = {}

    def lookup(relation: str) -> frozenset[str]:
        if relation not in found:
            schema, _, table = relation.partition(".")
            rows = names(
                "select lower(column_name) as name from information_schema.columns "
                "where upper(table_schema) = ? and upper(table_name) = ?",
                [schema.upper(), table.upper()],
            )
            found[relation] = frozenset(str(r) for r in rows)
        return found[relation]

    return lookup


@dataclass(frozen=True)
class GuardedQuery:
    sql: str
    tables: tuple[str, ...]  # SCHEMA.TABLE, upper case
    role: Role
    max_rows: int


def guard_select(
    sql: str,
    role: Role | str,
    *,
    dialect: str = "duckdb",
    max_rows: int = DEFAULT_MAX_ROWS,
    columns: ColumnLookup | None = None,
) -> GuardedQuery:
    """Validate `sql` for `role` and return it with a row limit applied and personal data masked, or raise
    GuardError. `columns` (relation_columns(session)) tells the masking which columns each table has."""
    role = Role(str(role).upper())
    text = (sql or "").strip()
    if not text:
        raise GuardError("empty query: write one SELECT statement")
    _refuse_file_and_stage_sources(text, dialect)
    try:
        statements = [
            s for s in sqlglot.parse(text, read=dialect) if s is not None and not isinstance(s, exp.Semicolon)
        ]
    except (ParseError, TokenError) as exc:
        raise GuardError(f"not valid SQL: {_first_line(str(exc))}") from None
    if len(statements) != 1:
        raise GuardError(f"exactly one statement is allowed, got {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, (exp.Select, exp.SetOperation)):
        raise GuardError(f"only SELECT statements are allowed, got {tree.key.upper()}")
    for node in tree.walk():
        if isinstance(node, exp.HistoricalData):  # AT / BEFORE (VERSION => n | TIMESTAMP => t)
            raise GuardError(
                "time travel (AT/BEFORE) is not allowed: a query reads the published state of the warehouse"
            )
        if isinstance(node, FORBIDDEN_NODES):
            raise GuardError(f"only read-only SELECTs are allowed: {node.key.upper()} is not")
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if (
                name in DENIED_FUNCTIONS
                or name.startswith("system$")
                or isinstance(node, (exp.ReadCSV, exp.ReadParquet))
            ):
                raise GuardError(
                    f"function {name}() is not allowed: it reads files, settings or runs nested SQL"
                )
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    allowed = readable_schemas(role)
    tables: list[str] = []
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise GuardError("table functions, stages and subscripted sources are not allowed in FROM")
        if not table.db and table.name.lower() in cte_names:
            continue
        if table.catalog and table.catalog.lower() != names.DATABASE.lower():
            raise GuardError(f"database {table.catalog} is not allowed: only {names.DATABASE}")
        schema = (table.db or DEFAULT_SCHEMA).upper()
        if not table.db:
            table.set("db", exp.to_identifier(schema))
        if schema not in allowed:
            raise GuardError(
                f"role {role.value} may not read {schema}.{table.name.upper()}: "
                f"it may read {', '.join(sorted(allowed)) or 'nothing'}"
            )
        tables.append(f"{schema}.{table.name.upper()}")
    if MASKED_PLACEHOLDER in text.lower():
        raise GuardError(f"identifiers starting with {MASKED_PLACEHOLDER} are reserved")
    spliced = _mask_personal_columns(tree, role, dialect, columns)
    limited = _apply_limit(tree, max_rows)
    return GuardedQuery(
        _splice(limited.sql(dialect=dialect, comments=False), spliced),
        tuple(dict.fromkeys(tables)),
        role,
        max_rows,
    )


MASKED_PLACEHOLDER: Final = "c360_masked_relation_"


def _mask_personal_columns(
    tree: exp.Expression, role: Role, dialect: str, columns: ColumnLookup | None
) -> dict[str, str]:
    """Read every table that holds personal data through the role's masked projection, under the table's
    own alias (or name), so the rest of the query is unchanged and sees masked values everywhere.

    The table is replaced by a placeholder here and the projection's cached SQL text spliced in after the
    query is generated (`_splice`): generating the masking expressions for every query costs ~10 ms."""
    spliced: dict[str, str] = {}
    for table in list(tree.find_all(exp.Table)):
        if not table.db:
            continue  # a CTE: its own tables were masked where it reads them
        relation = f"{table.db.upper()}.{table.name.upper()}"
        if not columns_of(relation):
            continue
        present = columns(relation) if columns is not None else None
        projection = masked_projection_sql(role, relation, dialect, table.catalog or None, present)
        if projection is None:
            continue
        placeholder = f"{MASKED_PLACEHOLDER}{len(spliced)}"
        spliced[placeholder] = projection
        alias = table.alias or table.name
        table.replace(
            exp.Table(
                this=exp.to_identifier(placeholder), alias=exp.TableAlias(this=exp.to_identifier(alias))
            )
        )
        for column in tree.find_all(exp.Column):
            # SCHEMA.TABLE.COLUMN now names the projection: keep only its alias
            if column.table and column.db and column.table.lower() == table.name.lower():
                column.set("db", None)
                column.set("catalog", None)
    return spliced


def _splice(sql: str, spliced: dict[str, str]) -> str:
    for placeholder, projection in spliced.items():
        pattern = re.compile(rf"\b{placeholder}\b", flags=re.IGNORECASE)
        sql, count = pattern.subn(_verbatim(projection), sql)
        if count != 1:
            raise GuardError("the query could not be masked for this role")
    return sql


def _verbatim(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts `text` as it is (a replacement string would read its backslashes)."""
    return lambda _match: text


def _refuse_file_and_stage_sources(text: str, dialect: str) -> None:
    """DuckDB reads `FROM 'file.csv'` as a file and Snowflake `FROM @stage` as staged files: neither is a table."""
    try:
        tokens = sqlglot.tokenize(text, read=dialect)
    except TokenError as exc:
        raise GuardError(f"not valid SQL: {_first_line(str(exc))}") from None
    for previous, token in itertools.pairwise(tokens):
        if (token.token_type == TokenType.PARAMETER and token.text == "@") or token.text.startswith("@"):
            raise GuardError("stage references (@...) are not allowed: query tables only")
        if previous.token_type in (TokenType.FROM, TokenType.JOIN) and token.token_type == TokenType.STRING:
            raise GuardError(f"file paths are not allowed as tables ('{token.text}'): query tables only")


def _apply_limit(tree: exp.Query, max_rows: int) -> exp.Query:
    current = tree.args.get("limit")
    if current is not None:
        value = current.expression if isinstance(current, exp.Limit) else None
        if isinstance(value, exp.Literal) and value.is_int and int(value.this) <= max_rows:
            return tree
    return tree.limit(max_rows, copy=True)


def run_guarded(
    session: WarehouseSession,
    sql: str,
    role: Role | str,
    params: list[object] | tuple[object, ...] = (),
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> pd.DataFrame:
    """Guard `sql`, then run it with bound `params` and a timeout."""
    guarded = guard_select(
        sql, role, dialect=session.dialect, max_rows=max_rows, columns=relation_columns(session)
    )
    return run_with_timeout(session, guarded.sql, list(params), timeout_seconds)


def run_with_timeout(
    session: WarehouseSession, sql: str, params: list[object], timeout_seconds: float
) -> pd.DataFrame:
    if session.dialect == "snowflake":
        session.execute(f"alter session set statement_timeout_in_seconds = {int(max(1, timeout_seconds))}")
        return session.query(sql, params)
    con = getattr(session, "con", None)
    timer = threading.Timer(timeout_seconds, con.interrupt) if con is not None else None
    if timer:
        timer.start()
    try:
        return session.query(sql, params)
    except C360Error as exc:
        if "INTERRUPT" in str(exc).upper():
            raise GuardError(f"query timed out after {timeout_seconds:g} s: narrow the filters") from None
        raise
    finally:
        if timer:
            timer.cancel()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
