"""SnowflakeAccess: the IAM role Snowflake assumes and the storage integration that uses it.

The trust/ARN cycle (the role trusts the integration's IAM user; the integration names the role) is
broken deterministically, in one `pulumi up`, with no second pass:
1. The role ARN is *computed* — arn:<partition>:iam::<account>:role/<fixed name> — so the integration
   can be created first, before the role exists (Snowflake does not assume the role at creation).
2. The external id is *ours* (config), set on the integration with STORAGE_AWS_EXTERNAL_ID, so it is
   known before the integration exists and never changes when the integration is re-created.
3. The role's trust policy reads only the integration's STORAGE_AWS_IAM_USER_ARN (describe output).
4. A guard fails the deployment if the created role's ARN ever differs from the computed one.

Least privilege: list + read on the three landing prefixes; put/delete only on
transactions/historical/ (the historical unload with OVERWRITE). Nothing else in the bucket.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_snowflake as snowflake

from c360 import names
from components.snowflake_context import SnowflakeDeployRoles, SnowflakeProviders, child

READ_PREFIXES: tuple[str, ...] = (names.CUSTOMERS_PREFIX, names.HISTORICAL_PREFIX, names.STREAMING_PREFIX)
UNLOAD_PREFIXES: tuple[str, ...] = (names.HISTORICAL_PREFIX,)
READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
UNLOAD_ACTIONS = ("s3:PutObject", "s3:DeleteObject")


@dataclass(frozen=True)
class SnowflakeAccessArgs:
    bucket_name: pulumi.Input[str]
    aws_account_id: pulumi.Input[str]
    role_name: str
    external_id: str
    partition: pulumi.Input[str] = "aws"
    tags: Mapping[str, str] = field(default_factory=dict)
    deploy_roles: SnowflakeDeployRoles = field(default_factory=SnowflakeDeployRoles)
    providers: SnowflakeProviders = field(default_factory=SnowflakeProviders)


def role_arn(partition: str, account_id: str, role_name: str) -> str:
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


def trust_policy(snowflake_user_arn: str, external_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "SnowflakeStorageIntegration",
                    "Effect": "Allow",
                    "Principal": {"AWS": snowflake_user_arn},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                }
            ],
        }
    )


def access_policy(partition: str, bucket: str) -> str:
    bucket_arn = f"arn:{partition}:s3:::{bucket}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ListLandingPrefixes",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": bucket_arn,
                    "Condition": {"StringLike": {"s3:prefix": [f"{p}*" for p in READ_PREFIXES]}},
                },
                {
                    "Sid": "LocateBucket",
                    "Effect": "Allow",
                    "Action": "s3:GetBucketLocation",
                    "Resource": bucket_arn,
                },
                {
                    "Sid": "ReadLandingObjects",
                    "Effect": "Allow",
                    "Action": list(READ_ACTIONS),
                    "Resource": [f"{bucket_arn}/{p}*" for p in READ_PREFIXES],
                },
                {
                    "Sid": "UnloadHistorical",
                    "Effect": "Allow",
                    "Action": list(UNLOAD_ACTIONS),
                    "Resource": [f"{bucket_arn}/{p}*" for p in UNLOAD_PREFIXES],
                },
            ],
        }
    )


def allowed_locations(bucket: str) -> list[str]:
    return [f"s3://{bucket}/{p}" for p in READ_PREFIXES]


def snowflake_user_arn(describe_outputs: Sequence[Any] | None) -> str:
    """STORAGE_AWS_IAM_USER_ARN from DESCRIBE INTEGRATION, or a clear error."""
    for row in describe_outputs or ():
        value = row.get("iam_user_arn") if isinstance(row, Mapping) else getattr(row, "iam_user_arn", None)
        if value:
            return str(value)
    raise ValueError(
        f"storage integration {names.STORAGE_INTEGRATION} reported no STORAGE_AWS_IAM_USER_ARN; "
        "run `DESC INTEGRATION` in Snowflake and see docs/deploy.md (integration trust)"
    )


class SnowflakeAccess(pulumi.ComponentResource):
    role_arn: pulumi.Output[str]
    snowflake_user_arn: pulumi.Output[str]
    integration_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: SnowflakeAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("c360:snowflake_access:SnowflakeAccess", name, {}, opts)
        expected_arn = pulumi.Output.all(args.partition, args.aws_account_id).apply(
            lambda a: role_arn(a[0], a[1], args.role_name)
        )

        self.integration = snowflake.StorageIntegrationAws(
            f"{name}-integration",
            name=names.STORAGE_INTEGRATION,
            enabled=True,
            storage_provider="S3",
            storage_aws_role_arn=expected_arn,
            storage_aws_external_id=args.external_id,
            storage_allowed_locations=pulumi.Output.from_input(args.bucket_name).apply(allowed_locations),
            comment="c360 landing bucket (customers, historical, streaming prefixes)",
            opts=child(self, args.providers.admin),
        )
        self.snowflake_user_arn = self.integration.describe_outputs.apply(snowflake_user_arn)

        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description="Assumed by the c360 Snowflake storage integration",
            assume_role_policy=self.snowflake_user_arn.apply(lambda arn: trust_policy(arn, args.external_id)),
            max_session_duration=3600,
            tags=dict(args.tags),
            opts=child(self),
        )
        self.access = aws.iam.RolePolicy(
            f"{name}-s3-access",
            role=self.role.id,
            policy=pulumi.Output.all(args.partition, args.bucket_name).apply(
                lambda a: access_policy(a[0], a[1])
            ),
            opts=child(self),
        )
        # the objects role creates the stages, so it needs USAGE on the integration
        self.integration_usage: snowflake.GrantPrivilegesToAccountRole | None = None
        if args.deploy_roles.objects != args.deploy_roles.admin:
            self.integration_usage = snowflake.GrantPrivilegesToAccountRole(
                f"{name}-integration-usage",
                account_role_name=args.deploy_roles.objects,
                privileges=["USAGE"],
                on_account_object={"object_type": "INTEGRATION", "object_name": names.STORAGE_INTEGRATION},
                opts=child(self, args.providers.admin, depends_on=[self.integration]),
            )

        self.role_arn = pulumi.Output.all(self.role.arn, expected_arn).apply(_same_arn)
        self.integration_name = self.integration.name
        self.register_outputs(
            {
                "role_arn": self.role_arn,
                "snowflake_user_arn": self.snowflake_user_arn,
                "integration_name": self.integration_name,
            }
        )


def _same_arn(arns: list[str]) -> str:
    actual, expected = arns
    if actual != expected:
        raise ValueError(
            f"IAM role ARN {actual} differs from the ARN the storage integration trusts ({expected}); "
            "the role must keep its fixed name and path '/' (see docs/deploy.md)"
        )
    return actual
