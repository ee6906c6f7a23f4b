"""The single grant matrix: which role may read or write which schema.

Pulumi renders it into Snowflake grants (components/warehouse.py); the local query guard
(c360/guard.py) enforces it on every SELECT the app and the assistant run.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from c360 import names


class Role(StrEnum):
    DATA_ENGINEER = "DATA_ENGINEER"
    DATA_ANALYST = "DATA_ANALYST"
    MARKETING_MANAGER = "MARKETING_MANAGER"
    DATA_SCIENTIST = "DATA_SCIENTIST"


class Access(StrEnum):
    READ = "read"
    WRITE = "write"  # read + create/modify objects


@dataclass(frozen=True)
class SchemaGrant:
    role: Role
    schema: str
    access: Access


GRANT_MATRIX: Final[tuple[SchemaGrant, ...]] = (
    *(SchemaGrant(Role.DATA_ENGINEER, s, Access.WRITE) for s in names.SCHEMAS),
    *(SchemaGrant(Role.DATA_ANALYST, s, Access.READ) for s in names.SCHEMAS),
    SchemaGrant(Role.MARKETING_MANAGER, names.GOLD, Access.READ),
    SchemaGrant(Role.DATA_SCIENTIST, names.SILVER, Access.READ),
    SchemaGrant(Role.DATA_SCIENTIST, names.GOLD, Access.READ),
)

# DATA_SCIENTIST may also create and use Cortex ML models (SNOWFLAKE.ML.CLASSIFICATION) in GOLD.
ML_ROLES: Final = (Role.DATA_ENGINEER, Role.DATA_SCIENTIST)

# The role the app and the assistant use unless a persona is chosen explicitly.
DEFAULT_APP_ROLE: Final = Role.MARKETING_MANAGER
APP_ROLES: Final = (Role.MARKETING_MANAGER, Role.DATA_ANALYST)


def readable_schemas(role: Role | str) -> frozenset[str]:
    role = Role(str(role).upper())
    return frozenset(g.schema for g in GRANT_MATRIX if g.role == role)


def can_read(role: Role | str, schema: str) -> bool:
    return schema.upper() in readable_schemas(role)
