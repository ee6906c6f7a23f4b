"""Validate the semantic model against the live gold tables (local DuckDB or Snowflake).

Checks: every base table exists; every dimension, time dimension, fact, metric and filter expression
compiles on its table; every sample value exists in the data; every relationship joins on keys that are
unique on the right side with no orphan rows on the left; every verified query, translated to physical
SQL, passes the query guard for the app role and runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from c360.assistant.model import SemanticModel, render_expr
from c360.assistant.verified import to_physical_sql
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.grants import DEFAULT_APP_ROLE, Role
from c360.guard import GuardError, guard_select, relation_columns

log = logging.getLogger(__name__)

ALIAS = "x"


@dataclass(frozen=True)
class LiveReport:
    problems: tuple[str, ...]
    checks: int
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_live(
    session: WarehouseSession, model: SemanticModel, role: Role = DEFAULT_APP_ROLE
) -> LiveReport:
    dialect = session.dialect
    problems: list[str] = []
    warnings: list[str] = []
    checks = 0
    present: set[str] = set()
    for table in model.tables.values():
        checks += 1
        if not session.table_exists(table.schema, table.physical_name):
            problems.append(f"table {table.name}: base table {table.qualified} does not exist")
            continue
        present.add(table.name)
        source = f"{table.qualified} AS {ALIAS}"
        for column in table.columns.values():
            checks += 1
            expr = render_expr(column.expr, ALIAS, dialect)
            try:
                session.query(f"SELECT {expr} AS v FROM {source} WHERE 1 = 0")
            except C360Error as exc:
                problems.append(
                    f"{column.ref} ({column.kind}): expr {column.expr!r} does not compile: {_short(exc)}"
                )
                continue
            if column.sample_values and column.kind == "dimension":
                checks += 1
                marks = ", ".join("?" for _ in column.sample_values)
                found = session.query(
                    f"SELECT DISTINCT CAST({expr} AS VARCHAR) AS v FROM {source} WHERE CAST({expr} AS VARCHAR) IN ({marks})",
                    list(column.sample_values),
                )
                missing = sorted(set(column.sample_values) - set(found["v"].astype(str)))
                if missing:
                    held = session.query(f"SELECT DISTINCT CAST({expr} AS VARCHAR) AS v FROM {source}")
                    placeholders = sorted(set(held["v"].dropna().astype(str)) - set(column.sample_values))
                    message = f"{column.ref}: sample values not in the data: {', '.join(missing)}"
                    if _placeholder_state(placeholders, column.description):
                        warnings.append(
                            f"{message} (the column still holds {placeholders[0]!r}: not populated yet)"
                        )
                    else:
                        problems.append(message)
        for flt in table.filters.values():
            checks += 1
            try:
                session.query(
                    f"SELECT COUNT(*) AS n FROM {source} WHERE ({render_expr(flt.expr, ALIAS, dialect)}) AND 1 = 0"
                )
            except C360Error as exc:
                problems.append(f"{flt.ref} (filter): expr {flt.expr!r} does not compile: {_short(exc)}")
        for key in table.primary_key:
            checks += 1
            expr = render_expr(table.columns[key].expr, ALIAS, dialect)
            if len(table.primary_key) == 1:
                dupes = session.scalar(f"SELECT COUNT(*) - COUNT(DISTINCT {expr}) FROM {source}")
                if dupes:
                    problems.append(f"table {table.name}: primary key {key} has {dupes} duplicate value(s)")
    for rel in model.relationships:
        if rel.left_table not in present or rel.right_table not in present:
            continue
        checks += 1
        left, right = model.tables[rel.left_table], model.tables[rel.right_table]
        on = " AND ".join(
            f"{render_expr(left.columns[lc].expr, 'l', dialect)} = {render_expr(right.columns[rc].expr, 'r', dialect)}"
            for lc, rc in rel.columns
        )
        first_right = render_expr(right.columns[rel.columns[0][1]].expr, "r", dialect)
        try:
            orphans = session.scalar(
                f"SELECT COUNT(*) FROM {left.qualified} AS l LEFT JOIN {right.qualified} AS r ON {on} WHERE {first_right} IS NULL"
            )
        except C360Error as exc:
            problems.append(f"relationship {rel.name}: join does not compile: {_short(exc)}")
            continue
        if orphans:
            problems.append(
                f"relationship {rel.name}: {orphans} {rel.left_table} row(s) have no {rel.right_table} match"
            )
    for vq in model.verified_queries:
        checks += 1
        try:
            sql = to_physical_sql(model, vq.sql, dialect)
            guarded = guard_select(sql, role, dialect=dialect, max_rows=10, columns=relation_columns(session))
            session.query(guarded.sql)
        except GuardError as exc:
            problems.append(f"verified query {vq.name}: refused by the guard for {role.value}: {exc}")
        except C360Error as exc:
            problems.append(f"verified query {vq.name}: does not run: {_short(exc)}")
    return LiveReport(tuple(problems), checks, tuple(warnings))


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _placeholder_state(extra_values: list[str], description: str) -> bool:
    """True when the data holds one value beyond the listed samples and the column's description names it in
    quotes as a state (e.g. 'Not Scored' before the churn model has run): the column is not populated yet,
    whatever else it already holds (lapsed customers are 'Lapsed' from the first build)."""
    return len(extra_values) == 1 and f"'{extra_values[0]}'" in description
