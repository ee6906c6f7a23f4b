"""Sharing: the secure view over the customer profile without personal data, and the share that exposes it
to consumer accounts (c360/sharing.py holds the definition).

- The view is SECURE (its definition is hidden from consumers; only secure views can be shared:
  https://docs.snowflake.com/en/user-guide/data-sharing-secure-views) and lists its columns explicitly. The
  objects role creates it, after the profile exists (the lifecycle's dbt build).
- The share is the admin role's (CREATE SHARE: https://docs.snowflake.com/en/sql-reference/sql/create-share);
  consumer accounts (ORG.ACCOUNT) come from stack config `shareConsumerAccounts`, none by default. Granting to
  a share: USAGE on the database and schema, SELECT on the view, by a role that owns the share and may grant
  on the objects (https://docs.snowflake.com/en/sql-reference/sql/grant-privilege-share).
- The policy pack refuses any grant to a share that would expose a personal column
  (policy/c360_rules.py, snowflake-share-no-personal-data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import pulumi
import pulumi_snowflake as snowflake

from c360 import names
from c360.sharing import SHARE, SHARED_VIEW, view_statement
from components.snowflake_context import SnowflakeProviders, child, fqn


class _ShareGrantTarget(TypedDict, total=False):
    """The one object a grant to the share names (GrantPrivilegesToShare's on_* arguments)."""

    on_database: pulumi.Input[str]
    on_schema: pulumi.Input[str]
    on_view: pulumi.Input[str]


@dataclass(frozen=True)
class SharingArgs:
    database: pulumi.Input[str]
    schemas: Mapping[str, pulumi.Input[str]]
    consumer_accounts: tuple[str, ...] = ()  # ORG.ACCOUNT
    after: Sequence[pulumi.Resource] = ()  # the profile exists (the lifecycle's dbt build)
    providers: SnowflakeProviders = field(default_factory=SnowflakeProviders)


class Sharing(pulumi.ComponentResource):
    view: snowflake.View
    share: snowflake.Share

    def __init__(self, name: str, args: SharingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("c360:sharing:Sharing", name, {}, opts)
        admin = args.providers.admin
        self.view = snowflake.View(
            f"{name}-view",
            name=SHARED_VIEW,
            database=args.database,
            schema=args.schemas[names.GOLD],
            is_secure="true",
            statement=view_statement(),
            comment="c360 customer profile for partners and other teams: no names, e-mail, customer number, age or city",
            opts=child(self, args.providers.objects, depends_on=list(args.after)),
        )
        self.share = snowflake.Share(
            f"{name}-share",
            name=SHARE,
            accounts=list(args.consumer_accounts) or None,
            comment="c360 customer insights (secure view, no personal data)",
            opts=child(self, admin),
        )
        view_fqn = fqn(names.DATABASE, names.GOLD, SHARED_VIEW)
        # the database and schema by their resources' outputs: each grant waits for what it names
        schema_fqn = pulumi.Output.all(args.database, args.schemas[names.GOLD]).apply(
            lambda a: f"{a[0]}.{a[1]}"
        )
        grants: tuple[tuple[str, _ShareGrantTarget, list[str], list[pulumi.Resource]], ...] = (
            ("database", {"on_database": args.database}, ["USAGE"], []),
            ("schema", {"on_schema": schema_fqn}, ["USAGE"], []),
            ("view", {"on_view": view_fqn}, ["SELECT"], [self.view]),
        )
        self.grants = [
            snowflake.GrantPrivilegesToShare(
                f"{name}-grant-{key}",
                to_share=self.share.name,
                privileges=privileges,
                opts=child(self, admin, depends_on=[self.share, *extra]),
                **target,
            )
            for key, target, privileges, extra in grants
        ]
        self.share_name = self.share.name
        self.register_outputs({"share": self.share_name, "view": view_fqn})
