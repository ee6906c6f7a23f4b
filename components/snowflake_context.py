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

import pulumi

_IDENTIFIER = re.compile(r"^[A-Z][A-Z0-9_]*$")


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
    **extra: object,
) -> pulumi.ResourceOptions:
    """Options for a component's child: always parented, optionally with a provider and dependencies."""
    return pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=depends_on, **extra)  # type: ignore[arg-type]
