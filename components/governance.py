"""Governance: the masking policies of c360/masking.py as Snowflake MASKING POLICY objects.

- One policy per kind of personal data (VARCHAR -> VARCHAR, body `c360.masking.policy_body`), owned by the
  objects role in OBSERVABILITY (CREATE MASKING POLICY on the schema:
  https://docs.snowflake.com/en/sql-reference/sql/create-masking-policy#access-control-requirements).
- APPLY on each policy to the lifecycle role: its dbt build re-attaches them after every rebuild
  (dbt/macros/governance/apply_masking_policies.sql); setting a policy on a column takes APPLY on the policy
  and OWNERSHIP of the table (https://docs.snowflake.com/en/user-guide/security-column-intro). The bronze
  tables get theirs where they are declared (components/ingestion.py, `masked_columns`).
- READ SESSION on the account to the Streamlit app's owner role: a policy's context functions are evaluated
  in the app's owner's-rights session, which needs it
  (https://docs.snowflake.com/en/developer-guide/streamlit/features/row-access).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_snowflake as snowflake

from c360 import names
from c360.grants import Role
from c360.masking import PII_COLUMNS, TREATMENTS, PiiKind, policy_body
from components.snowflake_context import SnowflakeDeployRoles, SnowflakeProviders, child, fqn

APP_OWNER_ROLE = Role.MARKETING_MANAGER  # components/app.py APP_OWNER


@dataclass(frozen=True)
class GovernanceArgs:
    database: pulumi.Input[str]
    schemas: Mapping[str, pulumi.Input[str]]
    # the role resources' names (Warehouse.role_names): grants wait for their role
    role_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    apply_role: Role = Role.DATA_ENGINEER  # runs the lifecycle's dbt build
    deploy_roles: SnowflakeDeployRoles = field(default_factory=SnowflakeDeployRoles)
    providers: SnowflakeProviders = field(default_factory=SnowflakeProviders)


def policy_name(kind: PiiKind) -> str:
    return fqn(names.DATABASE, names.OBSERVABILITY, TREATMENTS[kind].policy)


def bronze_masked_columns() -> dict[str, dict[str, str]]:
    """{BRONZE table: {COLUMN: policy FQN}} for the bronze tables the stack declares."""
    found: dict[str, dict[str, str]] = {}
    for column in PII_COLUMNS:
        if column.schema == names.BRONZE:
            found.setdefault(column.table, {})[column.column.upper()] = policy_name(column.kind)
    return found


class Governance(pulumi.ComponentResource):
    policies: dict[PiiKind, snowflake.MaskingPolicy]

    def __init__(self, name: str, args: GovernanceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("c360:governance:Governance", name, {}, opts)
        objects, security = args.providers.objects, args.providers.security
        self.policies = {
            kind: snowflake.MaskingPolicy(
                f"{name}-policy-{kind.value.replace('_', '-')}",
                name=treatment.policy,
                database=args.database,
                schema=args.schemas[names.OBSERVABILITY],
                arguments=[{"name": "val", "type": "VARCHAR"}],
                return_data_type="VARCHAR",
                body=policy_body(kind),
                comment=f"c360 personal data ({kind.value}): c360/masking.py; e.g. "
                f"{treatment.example[0]!r} -> {treatment.example[1]!r} for partial roles",
                opts=child(self, objects),
            )
            for kind, treatment in TREATMENTS.items()
        }
        role = args.role_names.get(args.apply_role.value, args.apply_role.value)
        self.apply_grants = [
            snowflake.GrantPrivilegesToAccountRole(
                f"{name}-apply-{kind.value.replace('_', '-')}",
                account_role_name=role,
                privileges=["APPLY"],
                on_schema_object={"object_type": "MASKING POLICY", "object_name": policy_name(kind)},
                opts=child(self, security, depends_on=[policy]),
            )
            for kind, policy in self.policies.items()
        ]
        self.read_session = snowflake.GrantPrivilegesToAccountRole(
            f"{name}-app-read-session",
            account_role_name=args.role_names.get(APP_OWNER_ROLE.value, APP_OWNER_ROLE.value),
            privileges=["READ SESSION"],
            on_account=True,
            opts=child(self, args.providers.admin),
        )
        self.policy_names = {kind: policy_name(kind) for kind in self.policies}
        self.register_outputs({"policies": [policy_name(k) for k in self.policies]})
