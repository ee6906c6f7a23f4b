"""Personal data: which columns hold it and what each role sees of them. The one definition.

Rendered three ways, never re-typed:
- **Snowflake masking policies** (components/governance.py): one policy per kind of personal data, its body
  `policy_body(kind)`; the stack attaches them to the bronze columns, and dbt's post-hook
  (dbt/macros/governance/, generated from this module by `python -m c360.masking`) to the relations dbt
  rebuilds.
- **the local query guard** (c360/guard.py): `masked_projection_sql(role, table, dialect)` stands in for the
  table in every query the app, the assistant and `c360 sql` run, applying the same expression for the
  caller's role.
- **the secure share** (components/sharing.py, policy/c360_rules.py): `NEVER_SHARED` columns never reach a
  share.

As in Snowflake, a masked column is masked wherever the query uses it — in the projection, in WHERE, in
joins and in GROUP BY ("Column-level Security ... selectively mask plain-text data in table and view
columns at query time": https://docs.snowflake.com/en/user-guide/security-column-intro), so a masked role
cannot recover a value by filtering on it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Final

import sqlglot
from sqlglot import exp

from c360 import names
from c360.grants import Role


class Exposure(StrEnum):
    CLEAR = "clear"  # the stored value
    PARTIAL = "partial"  # enough to recognise a customer on a call, not to contact or impersonate them
    REDACTED = "redacted"  # nothing


class PiiKind(StrEnum):
    EMAIL = "email"
    FULL_NAME = "full_name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"


# Who sees what. Roles not listed (PUBLIC, share consumers, any role added later) see REDACTED values.
#   DATA_ENGINEER      clear: loads, de-duplicates and traces customer records back to their files.
#   MARKETING_MANAGER  partial: recognises a customer in the app (first name + initial, masked e-mail).
#   DATA_ANALYST       partial: customer-level checks without contact details.
#   DATA_SCIENTIST     redacted: models never use identity (c360/ml/features.py excludes it).
EXPOSURE: Final[dict[Role, Exposure]] = {
    Role.DATA_ENGINEER: Exposure.CLEAR,
    Role.MARKETING_MANAGER: Exposure.PARTIAL,
    Role.DATA_ANALYST: Exposure.PARTIAL,
    Role.DATA_SCIENTIST: Exposure.REDACTED,
}
REDACTED_TEXT: Final = "*****"
VALUE: Final = "val"  # the policy argument's name in the expressions below


@dataclass(frozen=True)
class Treatment:
    """How one kind of personal data is shown at each exposure (Snowflake SQL over `val`, a VARCHAR)."""

    kind: PiiKind
    policy: str  # the Snowflake masking policy's name (in OBSERVABILITY)
    partial: str
    example: tuple[str, str]  # (stored, partial) — documentation and tests

    @property
    def redacted(self) -> str:
        return f"'{REDACTED_TEXT}'"


TREATMENTS: Final[dict[PiiKind, Treatment]] = {
    t.kind: t
    for t in (
        Treatment(
            PiiKind.EMAIL,
            "C360_PII_EMAIL",
            # first letter and the domain: 'jane.doe@example.com' -> 'j***@example.com' (idempotent)
            "case when position('@' in val) > 1 "
            "then left(val, 1) || '***' || substr(val, position('@' in val)) else '***' end",
            ("jane.doe@example.com", "j***@example.com"),
        ),
        Treatment(
            PiiKind.FULL_NAME,
            "C360_PII_FULL_NAME",
            # first name and the initial of the rest: 'Jane Doe' -> 'Jane D.' (idempotent)
            "case when position(' ' in val) > 0 "
            "then split_part(val, ' ', 1) || ' ' || left(trim(substr(val, position(' ' in val) + 1)), 1) || '.' "
            "else val end",
            ("Jane Doe", "Jane D."),
        ),
        Treatment(
            PiiKind.FIRST_NAME,
            "C360_PII_FIRST_NAME",
            "val",  # a first name alone identifies no one; it is what the partial full name shows too
            ("Jane", "Jane"),
        ),
        Treatment(
            PiiKind.LAST_NAME,
            "C360_PII_LAST_NAME",
            "left(val, 1) || '.'",  # 'Doe' -> 'D.' (idempotent)
            ("Doe", "D."),
        ),
    )
}


@dataclass(frozen=True)
class PiiColumn:
    schema: str
    table: str
    column: str
    kind: PiiKind

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.table}"


def _columns(schema: str, table: str, **kinds: PiiKind) -> tuple[PiiColumn, ...]:
    return tuple(PiiColumn(schema, table.upper(), column, kind) for column, kind in kinds.items())


_NAME_AND_EMAIL: Final = {
    "first_name": PiiKind.FIRST_NAME,
    "last_name": PiiKind.LAST_NAME,
    "email": PiiKind.EMAIL,
}
# Every column that holds personal data, in every relation that has one (bronze DDL: sql/ddl/bronze.sql;
# the rest: the dbt project). tests/unit/test_masking.py fails when a relation gains such a column that is
# not listed here.
PII_COLUMNS: Final[tuple[PiiColumn, ...]] = (
    *_columns(names.BRONZE, names.BRONZE_CUSTOMERS, **_NAME_AND_EMAIL),
    *_columns(names.SILVER, "stg_customers", **_NAME_AND_EMAIL),
    *_columns(names.GOLD, "dim_customer", full_name=PiiKind.FULL_NAME, **_NAME_AND_EMAIL),
    *_columns(names.GOLD, "customer_360_profile", full_name=PiiKind.FULL_NAME, **_NAME_AND_EMAIL),
)
# Column names that always hold personal data wherever they appear (the coverage test's net).
PII_COLUMN_NAMES: Final = frozenset({"email", "full_name", "first_name", "last_name"})
# Not masked (the app and the joins need them) but never shared outside the bank: the customer number links
# a row to the person; age and city single people out in small places.
INDIRECT_IDENTIFIERS: Final = frozenset({"customer_id", "customer_key", "age", "city"})
NEVER_SHARED: Final = PII_COLUMN_NAMES | INDIRECT_IDENTIFIERS


def exposure(role: Role | str) -> Exposure:
    try:
        return EXPOSURE[Role(str(role).upper())]
    except ValueError:
        return Exposure.REDACTED


def columns_of(relation: str) -> tuple[PiiColumn, ...]:
    """The personal columns of SCHEMA.TABLE (any case)."""
    schema, _, table = relation.upper().partition(".")
    return tuple(c for c in PII_COLUMNS if c.schema == schema and c.table == table)


# ---- rendering --------------------------------------------------------------------------------------


def _expression(kind: PiiKind, level: Exposure) -> exp.Expr:
    treatment = TREATMENTS[kind]
    text = {Exposure.CLEAR: VALUE, Exposure.PARTIAL: treatment.partial, Exposure.REDACTED: treatment.redacted}
    return sqlglot.parse_one(text[level], read="snowflake")


def _roles_at(level: Exposure) -> list[Role]:
    return [role for role, seen in EXPOSURE.items() if seen is level]


def policy_body(kind: PiiKind) -> str:
    """The Snowflake masking policy body for `kind` (argument `val VARCHAR`, returns VARCHAR).

    IS_ROLE_IN_SESSION follows the role hierarchy, so a role that inherits DATA_ENGINEER (the objects role
    owning tasks and alerts) sees what DATA_ENGINEER sees
    (https://docs.snowflake.com/en/user-guide/security-column-advanced). In Streamlit in Snowflake the app's
    queries run with its owner's rights and the policy sees the owner role, MARKETING_MANAGER
    (https://docs.snowflake.com/en/developer-guide/streamlit/features/row-access).
    """
    treatment = TREATMENTS[kind]
    branches = ["case", "    when val is null then null"]
    for level, expression in (
        (Exposure.CLEAR, VALUE),
        (Exposure.PARTIAL, treatment.partial),
    ):
        roles = _roles_at(level)
        if roles:
            test = " or ".join(f"is_role_in_session('{role.value}')" for role in roles)
            branches.append(f"    when {test} then {expression}")
    branches += [f"    else {treatment.redacted}", "end"]
    return "\n".join(branches)


def mask_expression(kind: PiiKind, role: Role | str, column: str, dialect: str) -> str | None:
    """SQL for what `role` sees of `column` in `dialect`, or None when it sees the stored value."""
    level = exposure(role)
    if level is Exposure.CLEAR or (level is Exposure.PARTIAL and TREATMENTS[kind].partial == VALUE):
        return None
    tree = _expression(kind, level).transform(
        lambda node: exp.column(column) if isinstance(node, exp.Column) and node.name == VALUE else node
    )
    guarded = exp.Case(
        ifs=[exp.If(this=exp.Is(this=exp.column(column), expression=exp.Null()), true=exp.Null())],
        default=tree,
    )
    return guarded.sql(dialect=dialect)


def masked_projection_sql(
    role: Role | str,
    relation: str,
    dialect: str,
    catalog: str | None = None,
    present: frozenset[str] | None = None,
) -> str | None:
    """`(SELECT * REPLACE (<mask> AS col, ...) FROM SCHEMA.TABLE)` for the role, or None when the role sees
    every column of the relation as stored. Both DuckDB and Snowflake support SELECT * REPLACE
    (https://duckdb.org/docs/sql/expressions/star; https://docs.snowflake.com/en/sql-reference/sql/select).
    `catalog`: as the query named the table (the app's cursors have no USE of the warehouse catalog).
    `present`: the relation's actual columns (lower case) when known — REPLACE refuses a column the table
    does not have, e.g. one built before a personal column was added. Cached: building it parses and
    transpiles SQL (~10 ms a table); the guard splices the text into each query."""
    return _projection_sql(exposure(role), relation.upper(), dialect, catalog, present)


@lru_cache(maxsize=256)
def _projection_sql(
    level: Exposure, relation: str, dialect: str, catalog: str | None, present: frozenset[str] | None
) -> str | None:
    role = next((r for r, seen in EXPOSURE.items() if seen is level), None) or "PUBLIC"
    replacements = []
    for column in columns_of(relation):
        if present is not None and column.column.lower() not in present:
            continue
        sql = mask_expression(column.kind, role, column.column, dialect)
        if sql is not None:
            replacements.append(
                exp.alias_(sqlglot.parse_one(sql, read=dialect), exp.to_identifier(column.column))
            )
    if not replacements:
        return None
    schema, _, table = relation.partition(".")
    source = exp.table_(table, db=schema, catalog=catalog)
    return exp.Subquery(this=exp.select(exp.Star(replace=replacements)).from_(source)).sql(dialect=dialect)


# ---- the dbt rendering --------------------------------------------------------------------------------

DBT_MACRO: Final = Path(__file__).resolve().parents[1] / "dbt" / "macros" / "governance" / "pii_columns.sql"


def dbt_macro_text() -> str:
    """dbt/macros/governance/pii_columns.sql: {relation name: {column: policy}} for the post-hook that
    attaches the policies on Snowflake (dbt cannot import Python; this file is generated, and a test keeps
    it equal to this rendering)."""
    by_relation: dict[str, dict[str, str]] = {}
    for column in PII_COLUMNS:
        if column.schema == names.BRONZE:
            continue  # declared by the stack (components/ingestion.py), not built by dbt
        by_relation.setdefault(column.table.lower(), {})[column.column] = TREATMENTS[column.kind].policy
    lines = [
        "{#- GENERATED by `python -m c360.masking` from c360/masking.py (the one definition of personal",
        "    data): relation -> {column: masking policy in OBSERVABILITY}. Do not edit by hand. -#}",
        "{% macro pii_columns() %}",
        "    {{ return({",
    ]
    for relation, columns in sorted(by_relation.items()):
        pairs = ", ".join(f"'{c}': '{p}'" for c, p in sorted(columns.items()))
        lines.append(f"        '{relation}': {{{pairs}}},")
    lines += ["    }) }}", "{% endmacro %}", ""]
    return "\n".join(lines)


def main() -> int:
    DBT_MACRO.parent.mkdir(parents=True, exist_ok=True)
    DBT_MACRO.write_text(dbt_macro_text())
    sys.stdout.write(f"wrote {DBT_MACRO}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
