"""Warehouse: database, the four schemas, the virtual warehouse (capped by a monthly resource monitor), the
c360 roles and every schema grant.

Grants (including future grants) are rendered from the single grant matrix in c360/grants.py by
components/grant_plan.py — the same matrix the local query guard enforces. Every grant names its role
through the role resource's output, so it waits for the role (components in other files get the same
outputs: `role_names`).

The resource monitor: only ACCOUNTADMIN may create one, and only ACCOUNTADMIN may assign one to a
warehouse — MONITOR and MODIFY on the monitor let other roles view and change it, not attach it
(https://docs.snowflake.com/en/user-guide/resource-monitors; snowflakedb/terraform-provider-snowflake#3019).
So the objects role creates and owns the warehouse without a monitor, and the admin role attaches the
monitor afterwards with ALTER WAREHOUSE (sql/deploy/warehouse_monitor*.snowflake.sql); the warehouse
resource ignores the attribute the admin sets, so it never tries to undo it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import pulumi
import pulumi_snowflake as snowflake

from c360 import names
from c360.grants import GRANT_MATRIX, Role, SchemaGrant
from c360.sqlfiles import load_sql
from components.grant_plan import (
    GrantScope,
    GrantSpec,
    SchemaObject,
    matrix_roles,
    render_object_grants,
    render_schema_grants,
)
from components.snowflake_context import SnowflakeDeployRoles, SnowflakeProviders, child, stack_sql

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
    role_names: Mapping[str, pulumi.Input[str]] | None = None,
) -> snowflake.GrantPrivilegesToAccountRole:
    """One GrantPrivilegesToAccountRole per GrantSpec (also used by Ingestion and App). With `role_names`
    (the role resources' outputs, Warehouse.role_names) the grant waits for its role to exist."""
    role: pulumi.Input[str] = (role_names or {}).get(spec.role, spec.role)
    on_account_object: snowflake.GrantPrivilegesToAccountRoleOnAccountObjectArgsDict | None = None
    on_schema: snowflake.GrantPrivilegesToAccountRoleOnSchemaArgsDict | None = None
    on_schema_object: snowflake.GrantPrivilegesToAccountRoleOnSchemaObjectArgsDict | None = None
    if spec.scope is GrantScope.ACCOUNT_OBJECT:
        on_account_object = {"object_type": spec.object_type, "object_name": spec.object_name}
    elif spec.scope is GrantScope.SCHEMA:
        on_schema = {"schema_name": spec.object_name}
    elif spec.scope is GrantScope.ALL_IN_SCHEMA:
        on_schema_object = {"all": {"object_type_plural": spec.object_type, "in_schema": spec.object_name}}
    elif spec.scope is GrantScope.FUTURE_IN_SCHEMA:
        on_schema_object = {"future": {"object_type_plural": spec.object_type, "in_schema": spec.object_name}}
    else:
        on_schema_object = {"object_type": spec.object_type, "object_name": spec.object_name}
    return snowflake.GrantPrivilegesToAccountRole(
        f"{name}-grant-{spec.key}",
        opts=opts,
        account_role_name=role,
        privileges=list(spec.privileges),
        on_account_object=on_account_object,
        on_schema=on_schema,
        on_schema_object=on_schema_object,
    )


def object_grants(
    name: str,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None,
    granted: Sequence[tuple[SchemaObject, pulumi.Resource]],
    role_names: Mapping[str, pulumi.Input[str]],
    matrix: tuple[SchemaGrant, ...] = GRANT_MATRIX,
    app_roles: tuple[Role, ...] | None = None,
) -> dict[str, list[snowflake.GrantPrivilegesToAccountRole]]:
    """The grants on schema objects (Ingestion, App), each waiting for exactly its object and (through
    `role_names`) its role — never for anything that may itself need the grant, e.g. an upload to the
    stage. Keyed by the object's fully qualified name."""
    found: dict[str, list[snowflake.GrantPrivilegesToAccountRole]] = {}
    for obj, resource in granted:
        specs = (
            render_object_grants([obj], matrix)
            if app_roles is None
            else render_object_grants([obj], matrix, app_roles=app_roles)
        )
        found[obj.fully_qualified_name] = [
            grant_resource(name, spec, child(parent, provider, depends_on=[resource]), role_names)
            for spec in specs
        ]
    return found


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
        self.warehouse = snowflake.Warehouse(
            f"{name}-warehouse",
            name=names.WAREHOUSE,
            warehouse_size=args.warehouse_size,
            auto_suspend=args.auto_suspend_seconds,
            auto_resume="true",
            initially_suspended=True,
            statement_timeout_in_seconds=args.statement_timeout_seconds,
            comment="c360 compute: lifecycle steps, tasks, app queries",
            # the monitor is attached by the admin role (below): not this resource's to set or unset
            opts=child(self, objects, ignore_changes=["resource_monitor"]),
        )
        # No FREQUENCY on the monitor: the quota resets at the start of each calendar month, and no start
        # timestamp has to be invented. Created and attached by the admin role (module docstring).
        self.monitor: snowflake.ResourceMonitor | None = None
        self.monitor_attachment: snowflake.Execute | None = None
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
            self.monitor_attachment = snowflake.Execute(
                f"{name}-monitor-attachment",
                execute=stack_sql("deploy/warehouse_monitor"),
                revert=stack_sql("deploy/warehouse_monitor_detach"),
                opts=child(self, args.providers.admin, depends_on=[self.warehouse, self.monitor]),
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

        self.role_names: dict[str, pulumi.Output[str]] = {
            role.value: account_role.name for role, account_role in self.roles.items()
        }
        depends: list[pulumi.Resource] = [self.database, self.warehouse, *self.schemas.values()]
        self.grant_specs = render_schema_grants(args.grant_matrix)
        self.grants = [
            grant_resource(name, spec, child(self, security, depends_on=depends), self.role_names)
            for spec in self.grant_specs
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

    def access_grants(self, role: Role) -> list[pulumi.Resource]:
        """What a session of `role` waits for before it touches the database: the role, its grants on the
        database, the warehouse and the schemas, and (for the lifecycle role) its grant to the lifecycle
        user."""
        found: list[pulumi.Resource] = [self.roles[role]]
        found += [
            grant
            for spec, grant in zip(self.grant_specs, self.grants, strict=True)
            if spec.role == role.value and spec.scope in (GrantScope.ACCOUNT_OBJECT, GrantScope.SCHEMA)
        ]
        if self.lifecycle_user_grant is not None and role is Role.DATA_ENGINEER:
            found.append(self.lifecycle_user_grant)
        return found

    def future_grants(self, schema: str) -> list[pulumi.Resource]:
        """The FUTURE grants on `schema`. Objects the stack creates there come after them and so get the
        privileges; GRANT ... ON ALL covers only objects that exist when it runs
        (https://docs.snowflake.com/en/sql-reference/sql/grant-privilege)."""
        return [
            grant
            for spec, grant in zip(self.grant_specs, self.grants, strict=True)
            if spec.scope is GrantScope.FUTURE_IN_SCHEMA and spec.object_name == f"{names.DATABASE}.{schema}"
        ]
