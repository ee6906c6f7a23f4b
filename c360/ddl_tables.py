"""Table definitions parsed from the DDL in sql/ddl — the one definition of each table's columns.

The runtime executes the DDL files as they are; the Pulumi stack declares the same tables as
`snowflake.Table` resources from what this module parses, so the two can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp

from c360.errors import C360Error
from c360.sqlfiles import load_sql

# Generic DDL type -> the canonical Snowflake type the provider reports back (so plans stay empty).
_SNOWFLAKE_TYPES: dict[exp.DType, str] = {
    exp.DataType.Type.TEXT: "VARCHAR",
    exp.DataType.Type.VARCHAR: "VARCHAR",
    exp.DataType.Type.INT: "NUMBER(38,0)",
    exp.DataType.Type.BIGINT: "NUMBER(38,0)",
    exp.DataType.Type.SMALLINT: "NUMBER(38,0)",
    exp.DataType.Type.DATE: "DATE",
    exp.DataType.Type.TIMESTAMP: "TIMESTAMP_NTZ",
    exp.DataType.Type.TIMESTAMPNTZ: "TIMESTAMP_NTZ",
    exp.DataType.Type.DOUBLE: "FLOAT",
    exp.DataType.Type.FLOAT: "FLOAT",
    exp.DataType.Type.BOOLEAN: "BOOLEAN",
}


@dataclass(frozen=True)
class TableColumn:
    name: str
    ddl_type: str  # as written in the DDL (duckdb rendering)
    snowflake_type: str
    default_expression: str | None = None  # Snowflake expression, e.g. CURRENT_TIMESTAMP()


@dataclass(frozen=True)
class TableDefinition:
    schema: str
    name: str
    columns: tuple[TableColumn, ...]
    comment: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def parse_tables(sql: str) -> tuple[TableDefinition, ...]:
    """Every `create table` in a DDL script, with its columns in declaration order."""
    tables = []
    for statement in sqlglot.parse(sql, read="duckdb"):
        if not isinstance(statement, exp.Create) or statement.kind != "TABLE":
            continue
        schema_expr = statement.this
        table = schema_expr.this
        if not table.db:
            raise C360Error(f"DDL table {table.name!r} must be schema-qualified (e.g. BRONZE.{table.name})")
        columns = tuple(
            _column(table.name, c) for c in schema_expr.expressions if isinstance(c, exp.ColumnDef)
        )
        tables.append(TableDefinition(schema=table.db.upper(), name=table.name.upper(), columns=columns))
    return tuple(tables)


@lru_cache(maxsize=16)
def ddl_tables(name: str = "ddl/bronze") -> dict[str, TableDefinition]:
    """Tables of `sql/<name>.sql`, keyed by upper-case table name."""
    return {t.name: t for t in parse_tables(load_sql(name))}


def _column(table: str, column: exp.ColumnDef) -> TableColumn:
    kind = column.args.get("kind")
    if not isinstance(kind, exp.DataType):
        raise C360Error(f"column {table}.{column.name} has no type in the DDL")
    if kind.this is exp.DataType.Type.DECIMAL:
        params = [p.sql() for p in kind.expressions]
        precision = params[0] if params else "38"
        scale = params[1] if len(params) > 1 else "0"
        snowflake_type = f"NUMBER({precision},{scale})"
    elif kind.this in _SNOWFLAKE_TYPES:
        snowflake_type = _SNOWFLAKE_TYPES[kind.this]
    else:
        raise C360Error(f"column {table}.{column.name}: no Snowflake mapping for DDL type {kind.sql()}")
    default = None
    for constraint in column.constraints:
        if isinstance(constraint.kind, exp.DefaultColumnConstraint):
            default = constraint.kind.this.sql(dialect="snowflake")
    return TableColumn(column.name.lower(), kind.sql(dialect="duckdb"), snowflake_type, default)
