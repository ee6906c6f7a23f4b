"""What every Snowflake-side component shares: the deploy-role providers and identifier helpers.

Three Snowflake roles deploy the stack (least privilege for the deployer, too):
- ``admin``    (ACCOUNTADMIN by default): the storage integration and account-level privileges;
- ``security`` (SECURITYADMIN): the c360 roles, the role hierarchy and every grant;
- ``objects``  (SYSADMIN): database, schemas, warehouse, stages, tables, pipe, stream, tasks, app.
Each is an explicit ``snowflake.Provider`` built in stacks/__main__.py; ``None`` means the default
provider (the unit tests run that way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import pulumi

from c360.engines.base import split_statements
from c360.errors import C360Error
from c360.grants import Role
from c360.sqlfiles import render_sql

_IDENTIFIER = re.compile(r"^[A-Z][A-Z0-9_]*$")
# The role the lifecycle connects with (SNOWFLAKE_ROLE; c360.config's default): the LifecycleStep and
# StageFiles dynamic providers send their statements as this role, so they wait for its grants.
LIFECYCLE_ROLE: Final = Role.DATA_ENGINEER
_TEMPLATE_VALUES: Final = {
    "as_of": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "content_hash": re.compile(r"^[0-9a-f]{64}$"),
    "dbt_version": re.compile(r"^\d+\.\d+\.\d+$"),
}


@dataclass(frozen=True)
class SnowflakeDeployRoles:
    """Names of the three deploy roles (config), used where a grant must name the object owner."""

    admin: str = "ACCOUNTADMIN"
    security: str = "SECURITYADMIN"
    objects: str = "SYSADMIN"


@dataclass(frozen=True)
class SnowflakeProviders:
    admin: pulumi.ProviderResource | None = None
    security: pulumi.ProviderResource | None = None
    objects: pulumi.ProviderResource | None = None


def identifier(name: str) -> str:
    """An unquoted, upper-case Snowflake identifier, or a ValueError (names come from c360.names)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} is not a plain upper-case Snowflake identifier")
    return name


def fqn(*parts: str) -> str:
    """DATABASE.SCHEMA.OBJECT from validated identifiers."""
    return ".".join(identifier(p) for p in parts)


def child(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
    depends_on: list[pulumi.Resource] | None = None,
    *,
    protect: bool | None = None,
    ignore_changes: list[str] | None = None,
    delete_before_replace: bool | None = None,
) -> pulumi.ResourceOptions:
    """Options for a component's child: always parented, optionally with a provider and dependencies."""
    return pulumi.ResourceOptions(
        parent=parent,
        provider=provider,
        depends_on=depends_on,
        protect=protect,
        ignore_changes=ignore_changes,
        delete_before_replace=delete_before_replace,
    )


def stack_sql(name: str, **values: str) -> str:
    """One Snowflake statement from sql/<name>.snowflake.sql: comments stripped, no trailing `;`,
    Jinja placeholders (render_sql) filled from validated values only (dates, hex digests, versions)."""
    for key, value in values.items():
        pattern = _TEMPLATE_VALUES.get(key)
        if pattern is None or not pattern.match(value):
            raise ValueError(f"{name}: refusing to render {key}={value!r}")
    try:
        rendered = render_sql(name, "snowflake", **values)
    except C360Error as exc:
        raise ValueError(f"sql/{name}.snowflake.sql needs a value: {exc}") from None
    statements = list(split_statements(rendered))
    if len(statements) != 1:
        raise ValueError(f"sql/{name}.snowflake.sql must hold exactly one statement, found {len(statements)}")
    return " ".join(statements[0].split())
