"""Render the single grant matrix (c360/grants.py) into the exact Snowflake grants the stack declares.

Pure functions, no Pulumi: the Warehouse, Ingestion and App components turn each GrantSpec into one
``snowflake.GrantPrivilegesToAccountRole``; the unit tests compare the plan with the matrix.

Rules
- Every role in the matrix gets USAGE on the database and the warehouse; roles with WRITE on any
  schema also get OPERATE and MONITOR on the warehouse.
- READ on a schema:  USAGE on it; SELECT on all and future tables and views in it.
- WRITE on a schema: READ plus the CREATE privileges dbt and the runtime need, and
  INSERT/UPDATE/DELETE/TRUNCATE/REFERENCES on all and future tables.
- ML roles that read GOLD may create Cortex ML classification models there.
- A role with no entry for a schema gets nothing on it (Snowflake has no DENY): MARKETING_MANAGER
  therefore sees GOLD only.
- Schema objects (stages, file formats, pipes, streams, tasks, the app) are granted by audience:
  WRITERS (roles with WRITE on the object's schema), READERS (every role that reads the schema;
  writers get the write privileges) or APP (the app roles that read the schema).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from c360 import names
from c360.grants import APP_ROLES, GRANT_MATRIX, ML_ROLES, Access, Role, SchemaGrant
from components.snowflake_context import fqn

READ_SCHEMA_PRIVILEGES = ("USAGE",)
WRITE_SCHEMA_PRIVILEGES = (
    "USAGE",
    "MONITOR",
    "CREATE TABLE",
    "CREATE VIEW",
    "CREATE STAGE",
    "CREATE FILE FORMAT",
    "CREATE SEQUENCE",
    "CREATE FUNCTION",
    "CREATE PROCEDURE",
)
READ_TABLE_PRIVILEGES = ("SELECT",)
WRITE_TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES")
VIEW_PRIVILEGES = ("SELECT",)
ML_SCHEMA_PRIVILEGES = ("CREATE SNOWFLAKE.ML.CLASSIFICATION",)


class GrantScope(StrEnum):
    ACCOUNT_OBJECT = "account_object"  # object_type DATABASE | WAREHOUSE | INTEGRATION
    SCHEMA = "schema"  # object_name is DATABASE.SCHEMA
    ALL_IN_SCHEMA = "all_in_schema"  # object_type is plural (TABLES, VIEWS)
    FUTURE_IN_SCHEMA = "future_in_schema"
    SCHEMA_OBJECT = "schema_object"  # object_type STAGE | FILE FORMAT | PIPE | STREAM | TASK | STREAMLIT


class Audience(StrEnum):
    WRITERS = "writers"
    READERS = "readers"
    APP = "app"


@dataclass(frozen=True)
class GrantSpec:
    role: str
    privileges: tuple[str, ...]
    scope: GrantScope
    object_type: str
    object_name: str

    @property
    def key(self) -> str:
        """Stable, unique resource-name suffix (Pulumi URNs must not change between runs)."""
        target = re.sub(r"[^a-z0-9]+", "-", f"{self.object_type}-{self.object_name}".lower()).strip("-")
        return f"{self.role.lower().replace('_', '-')}-{self.scope.value.replace('_', '-')}-{target}"


@dataclass(frozen=True)
class SchemaObject:
    """A schema-level object the stack declares and the roles need privileges on."""

    schema: str
    object_type: str  # STAGE | FILE FORMAT | PIPE | STREAM | TASK | STREAMLIT
    name: str
    audience: Audience
    internal_stage: bool = False

    @property
    def fully_qualified_name(self) -> str:
        return fqn(names.DATABASE, self.schema, self.name)


def matrix_roles(matrix: Iterable[SchemaGrant] = GRANT_MATRIX) -> tuple[Role, ...]:
    seen: list[Role] = []
    for grant in matrix:
        if grant.role not in seen:
            seen.append(grant.role)
    for role in Role:  # roles with no schema grant still exist (and get nothing)
        if role not in seen:
            seen.append(role)
    return tuple(seen)


def render_schema_grants(
    matrix: Iterable[SchemaGrant] = GRANT_MATRIX,
    *,
    database: str = names.DATABASE,
    warehouse: str = names.WAREHOUSE,
    ml_roles: Iterable[Role] = ML_ROLES,
) -> tuple[GrantSpec, ...]:
    """Database, warehouse and schema-level grants (including future grants) for every matrix entry."""
    matrix = tuple(matrix)
    ml_roles = tuple(ml_roles)
    _check_matrix(matrix)
    specs: list[GrantSpec] = []
    for role in matrix_roles(matrix):
        entries = [g for g in matrix if g.role == role]
        if not entries:
            continue
        writes_somewhere = any(g.access is Access.WRITE for g in entries)
        specs.append(GrantSpec(role, ("USAGE",), GrantScope.ACCOUNT_OBJECT, "DATABASE", database))
        wh_privileges = ("USAGE", "OPERATE", "MONITOR") if writes_somewhere else ("USAGE",)
        specs.append(GrantSpec(role, wh_privileges, GrantScope.ACCOUNT_OBJECT, "WAREHOUSE", warehouse))
        for grant in entries:
            schema = fqn(database, grant.schema)
            write = grant.access is Access.WRITE
            schema_privileges = WRITE_SCHEMA_PRIVILEGES if write else READ_SCHEMA_PRIVILEGES
            if grant.schema == names.GOLD and role in ml_roles:
                schema_privileges = (*schema_privileges, *ML_SCHEMA_PRIVILEGES)
            specs.append(GrantSpec(role, schema_privileges, GrantScope.SCHEMA, "SCHEMA", schema))
            table_privileges = WRITE_TABLE_PRIVILEGES if write else READ_TABLE_PRIVILEGES
            for scope in (GrantScope.ALL_IN_SCHEMA, GrantScope.FUTURE_IN_SCHEMA):
                specs.append(GrantSpec(role, table_privileges, scope, "TABLES", schema))
                specs.append(GrantSpec(role, VIEW_PRIVILEGES, scope, "VIEWS", schema))
    return _unique(specs)


def render_object_grants(
    objects: Iterable[SchemaObject],
    matrix: Iterable[SchemaGrant] = GRANT_MATRIX,
    *,
    app_roles: Iterable[Role] = APP_ROLES,
) -> tuple[GrantSpec, ...]:
    """Grants on individual schema objects, by audience, from the same matrix."""
    matrix = tuple(matrix)
    app_roles = tuple(app_roles)
    specs: list[GrantSpec] = []
    for obj in objects:
        readers = [g for g in matrix if g.schema == obj.schema]
        writers = [g.role for g in readers if g.access is Access.WRITE]
        write_privileges, read_privileges = _object_privileges(obj)
        if obj.audience is Audience.WRITERS:
            grantees = [(r, write_privileges) for r in writers]
        elif obj.audience is Audience.READERS:
            grantees = [
                (g.role, write_privileges if g.access is Access.WRITE else read_privileges) for g in readers
            ]
        else:
            grantees = [(g.role, read_privileges) for g in readers if g.role in app_roles]
        for role, privileges in grantees:
            specs.append(
                GrantSpec(
                    role, privileges, GrantScope.SCHEMA_OBJECT, obj.object_type, obj.fully_qualified_name
                )
            )
    return _unique(specs)


def _object_privileges(obj: SchemaObject) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(privileges for writers, privileges for readers) of one object type."""
    if obj.object_type == "STAGE":
        return (("READ", "WRITE"), ("READ",)) if obj.internal_stage else (("USAGE",), ("USAGE",))
    if obj.object_type == "FILE FORMAT":
        return ("USAGE",), ("USAGE",)
    if obj.object_type in ("PIPE", "TASK"):
        return ("MONITOR", "OPERATE"), ("MONITOR",)
    if obj.object_type == "STREAM":
        return ("SELECT",), ("SELECT",)
    if obj.object_type == "STREAMLIT":
        return ("USAGE",), ("USAGE",)
    raise ValueError(f"no privilege rule for object type {obj.object_type!r}")


def _check_matrix(matrix: tuple[SchemaGrant, ...]) -> None:
    seen: set[tuple[Role, str]] = set()
    for grant in matrix:
        if grant.schema not in names.SCHEMAS:
            raise ValueError(f"grant matrix names unknown schema {grant.schema!r}")
        key = (grant.role, grant.schema)
        if key in seen:
            raise ValueError(f"grant matrix lists {grant.role.value} on {grant.schema} twice")
        seen.add(key)


def _unique(specs: list[GrantSpec]) -> tuple[GrantSpec, ...]:
    keys = [s.key for s in specs]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"grant plan has colliding resource names: {', '.join(duplicates)}")
    return tuple(specs)
