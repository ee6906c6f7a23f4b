"""Warehouse: database, the four schemas, the virtual warehouse (capped by a monthly resource monitor), the
c360 roles and every schema grant.

Grants (including future grants) are rendered from the single grant matrix in c360/grants.py by
components/grant_plan.py — the same matrix the local query guard enforces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

import pulumi
import pulumi_snowflake as snowflake

from c360 import names
from c360.grants import GRANT_MATRIX, Role, SchemaGrant
from c360.sqlfiles import load_sql
from components.grant_plan import GrantScope, GrantSpec, matrix_roles, render_schema_grants
from components.snowflake_context import SnowflakeDeployRoles, SnowflakeProviders, child

WAREHOUSE_SIZES: Final = (
    "XSMALL",
    "SMALL",
    "MEDIUM",
    "LARGE",
    "XLARGE",
    "XXLARGE",
    "XXXLARGE",
    "X4LARGE",
    "X5LARGE",
    "X6LARGE",
)
MAX_AUTO_SUSPEND_SECONDS: Final = 300
# Resource monitor: notify the account admins at 75 % and 90 % of the monthly quota, suspend the warehouse
# at 100 % (running queries finish) and cancel everything at 110 %.
MONITOR_NOTIFY_AT: Final = (75, 90)
MONITOR_SUSPEND_AT: Final = 100
MONITOR_SUSPEND_IMMEDIATELY_AT: Final = 110
ROLE_COMMENTS: Final = {
    Role.DATA_ENGINEER: "Builds c360: loads bronze, runs dbt and the ML steps (write on every schema)",
    Role.DATA_ANALYST: "Reads every c360 schema",
    Role.MARKETING_MANAGER: "Reads GOLD only (the app's default persona)",
    Role.DATA_SCIENTIST: "Reads SILVER and GOLD; trains Cortex ML models in GOLD",
}


@dataclass(frozen=True)
class WarehouseArgs:
    warehouse_size: str = "XSMALL"
    auto_suspend_seconds: int = 60
    statement_timeout_seconds: int = 3600
    data_retention_days: int = 1
    monthly_credit_quota: int = 20  # 0: no resource monitor
    lifecycle_user: str | None = None  # gets DATA_ENGINEER: the lifecycle steps connect as this user
    grant_matrix: tuple[SchemaGrant, ...] = GRANT_MATRIX
    deploy_roles: SnowflakeDeployRoles = field(default_factory=SnowflakeDeployRoles)
    providers: SnowflakeProviders = field(default_factory=SnowflakeProviders)
    protect: bool = False
    schema_comments: dict[str, str] = field(default_factory=lambda: schema_comments())

    def __post_init__(self) -> None:
        if self.warehouse_size not in WAREHOUSE_SIZES:
            raise ValueError(f"warehouse_size must be one of {', '.join(WAREHOUSE_SIZES)}")
        if not 60 <= self.auto_suspend_seconds <= MAX_AUTO_SUSPEND_SECONDS:
            raise ValueError(f"auto_suspend_seconds must be 60..{MAX_AUTO_SUSPEND_SECONDS}")
        if not 0 <= self.data_retention_days <= 90:
            raise ValueError("data_retention_days must be 0..90")
        if self.monthly_credit_quota < 0:
            raise ValueError("monthly_credit_quota must be 0 (no monitor) or a positive number of credits")


def schema_comments() -> dict[str, str]:
    """Schema comments from sql/ddl/schemas.snowflake.sql (one definition for both paths)."""
    found = dict(
        re.findall(
            r"create schema if not exists (\w+) comment = '((?:[^']|'')*)'",
            load_sql("ddl/schemas", "snowflake"),
            flags=re.IGNORECASE,
        )
    )
    return {schema: found.get(schema, "").replace("''", "'") for schema in names.SCHEMAS}


def grant_resource(
    name: str,
    spec: GrantSpec,
    opts: pulumi.ResourceOptions,
) -> snowflake.GrantPrivilegesToAccountRole:
    """One GrantPrivilegesToAccountRole per GrantSpec (also used by Ingestion and App)."""
    kwargs: dict[str, object] = {"account_role_name": spec.role, "privileges": list(spec.privileges)}
    if spec.scope is GrantScope.ACCOUNT_OBJECT:
        kwargs["on_account_object"] = {"object_type": spec.object_type, "object_name": spec.object_name}
    elif spec.scope is GrantScope.SCHEMA:
        kwargs["on_schema"] = {"schema_name": spec.object_name}
    elif spec.scope is GrantScope.ALL_IN_SCHEMA:
        kwargs["on_schema_object"] = {
            "all": {"object_type_plural": spec.object_type, "in_schema": spec.object_name}
        }
    elif spec.scope is GrantScope.FUTURE_IN_SCHEMA:
        kwargs["on_schema_object"] = {
            "future": {"object_type_plural": spec.object_type, "in_schema": spec.object_name}
        }
    else:
        kwargs["on_schema_object"] = {"object_type": spec.object_type, "object_name": spec.object_name}
    return snowflake.GrantPrivilegesToAccountRole(f"{name}-grant-{spec.key}", opts=opts, **kwargs)  # type: ignore[arg-type]


class Warehouse(pulumi.ComponentResource):
    database_name: pulumi.Output[str]
    schema_names: dict[str, pulumi.Output[str]]
    warehouse_name: pulumi.Output[str]
    grants: list[snowflake.GrantPrivilegesToAccountRole]

    def __init__(self, name: str, args: WarehouseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("c360:warehouse:Warehouse", name, {}, opts)
        objects = args.providers.objects
        security = args.providers.security

        self.database = snowflake.Database(
            f"{name}-database",
            name=names.DATABASE,
            comment="c360 Customer 360 analytics",
            data_retention_time_in_days=args.data_retention_days,
            drop_public_schema_on_creation=True,
            opts=child(self, objects, protect=args.protect),
        )
        self.schemas = {
            schema: snowflake.Schema(
                f"{name}-schema-{schema.lower()}",
                database=self.database.name,
                name=schema,
                comment=args.schema_comments.get(schema, ""),
                opts=child(self, objects),
            )
            for schema in names.SCHEMAS
        }
        # Resource monitors are account objects only ACCOUNTADMIN may create; the objects role that owns the
        # warehouse needs MONITOR and MODIFY on the monitor to attach it. No FREQUENCY: the quota resets at
        # the start of each calendar month, and no start timestamp has to be invented.
        self.monitor: snowflake.ResourceMonitor | None = None
        monitor_ready: list[pulumi.Resource] = []
        if args.monthly_credit_quota:
            self.monitor = snowflake.ResourceMonitor(
                f"{name}-monitor",
                name=names.RESOURCE_MONITOR,
                credit_quota=args.monthly_credit_quota,
                notify_triggers=list(MONITOR_NOTIFY_AT),
                suspend_trigger=MONITOR_SUSPEND_AT,
                suspend_immediate_trigger=MONITOR_SUSPEND_IMMEDIATELY_AT,
                opts=child(self, args.providers.admin),
            )
            monitor_ready.append(self.monitor)
            if args.deploy_roles.objects != args.deploy_roles.admin:
                monitor_ready.append(
                    snowflake.GrantPrivilegesToAccountRole(
                        f"{name}-monitor-grant",
                        account_role_name=args.deploy_roles.objects,
                        privileges=["MONITOR", "MODIFY"],
                        on_account_object={
                            "object_type": "RESOURCE MONITOR",
                            "object_name": self.monitor.name,
                        },
                        opts=child(self, args.providers.admin, depends_on=[self.monitor]),
                    )
                )
        self.warehouse = snowflake.Warehouse(
            f"{name}-warehouse",
            name=names.WAREHOUSE,
            warehouse_size=args.warehouse_size,
            auto_suspend=args.auto_suspend_seconds,
            auto_resume="true",
            initially_suspended=True,
            statement_timeout_in_seconds=args.statement_timeout_seconds,
            resource_monitor=self.monitor.name if self.monitor else None,
            comment="c360 compute: lifecycle steps, tasks, app queries",
            opts=child(self, objects, depends_on=monitor_ready),
        )

        self.roles = {
            role: snowflake.AccountRole(
                f"{name}-role-{role.value.lower().replace('_', '-')}",
                name=role.value,
                comment=ROLE_COMMENTS.get(role, "c360 role"),
                opts=child(self, security),
            )
            for role in matrix_roles(args.grant_matrix)
        }
        # role hierarchy: the objects role (SYSADMIN) inherits every c360 role, so admins can see and
        # manage what the roles create (ACCOUNTADMIN already sees everything and is never granted to)
        self.hierarchy = [
            snowflake.GrantAccountRole(
                f"{name}-hierarchy-{role.value.lower().replace('_', '-')}",
                role_name=account_role.name,
                parent_role_name=args.deploy_roles.objects,
                opts=child(self, security),
            )
            for role, account_role in self.roles.items()
            if args.deploy_roles.objects not in ("ACCOUNTADMIN", "PUBLIC")
        ]
        self.lifecycle_user_grant: snowflake.GrantAccountRole | None = None
        if args.lifecycle_user:
            self.lifecycle_user_grant = snowflake.GrantAccountRole(
                f"{name}-lifecycle-user",
                role_name=self.roles[Role.DATA_ENGINEER].name,
                user_name=args.lifecycle_user,
                opts=child(self, security),
            )

        depends: list[pulumi.Resource] = [
            self.database,
            self.warehouse,
            *self.schemas.values(),
            *self.roles.values(),
        ]
        self.grants = [
            grant_resource(name, spec, child(self, security, depends_on=depends))
            for spec in render_schema_grants(args.grant_matrix)
        ]

        self.database_name = self.database.name
        self.schema_names = {schema: resource.name for schema, resource in self.schemas.items()}
        self.warehouse_name = self.warehouse.name
        self.register_outputs(
            {
                "database_name": self.database_name,
                "schema_names": self.schema_names,
                "warehouse_name": self.warehouse_name,
                "roles": [r.value for r in self.roles],
            }
        )
