"""SnowflakeAccess under mocks: the trust/ARN cycle, least privilege and the integration."""

from __future__ import annotations

import json

import pytest

from c360 import names
from components.snowflake_access import (
    READ_PREFIXES,
    SnowflakeAccess,
    SnowflakeAccessArgs,
    _same_arn,
    snowflake_user_arn,
)
from components.snowflake_context import SnowflakeDeployRoles
from tests.unit.pulumi_stack.conftest import (
    ACCOUNT_ID,
    SNOWFLAKE_USER_ARN,
    RecordingMocks,
    assert_parented,
    declare,
)

BUCKET = "c360-test-landing-123456789012"
ROLE = "c360-test-snowflake-storage"
EXTERNAL_ID = "c360-test-myorg-c360_dev"


def build(roles: SnowflakeDeployRoles | None = None) -> SnowflakeAccess:
    return SnowflakeAccess(
        "access",
        SnowflakeAccessArgs(
            bucket_name=BUCKET,
            aws_account_id=ACCOUNT_ID,
            role_name=ROLE,
            external_id=EXTERNAL_ID,
            deploy_roles=roles or SnowflakeDeployRoles(),
        ),
    )


def test_cycle_is_broken_with_a_computed_arn_and_our_external_id(mocks: RecordingMocks) -> None:
    role_arn = declare(lambda: build().role_arn)
    expected = f"arn:aws:iam::{ACCOUNT_ID}:role/{ROLE}"
    assert role_arn == expected

    integration = mocks.one("snowflake:index/storageIntegrationAws:StorageIntegrationAws").inputs
    assert integration["name"] == names.STORAGE_INTEGRATION
    assert integration["storageAwsRoleArn"] == expected  # known before the role exists
    assert integration["storageAwsExternalId"] == EXTERNAL_ID  # ours, stable across re-creation
    assert integration["storageProvider"] == "S3" and integration["enabled"] is True
    assert integration["storageAllowedLocations"] == [f"s3://{BUCKET}/{p}" for p in READ_PREFIXES]

    role = mocks.one("aws:iam/role:Role").inputs
    assert role["name"] == ROLE
    (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"AWS": SNOWFLAKE_USER_ARN}  # from the integration's describe output
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}


def test_role_can_read_the_landing_prefixes_and_write_only_the_unload_prefix(mocks: RecordingMocks) -> None:
    declare(lambda: build().role_arn)
    statements = {
        s["Sid"]: s
        for s in json.loads(mocks.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])["Statement"]
    }
    bucket_arn = f"arn:aws:s3:::{BUCKET}"
    assert set(statements) == {
        "ListLandingPrefixes",
        "LocateBucket",
        "ReadLandingObjects",
        "UnloadHistorical",
    }
    assert statements["ListLandingPrefixes"]["Resource"] == bucket_arn
    assert statements["ListLandingPrefixes"]["Condition"]["StringLike"]["s3:prefix"] == [
        "customers/*",
        "transactions/historical/*",
        "transactions/streaming/*",
    ]
    assert statements["ReadLandingObjects"]["Action"] == ["s3:GetObject", "s3:GetObjectVersion"]
    assert statements["UnloadHistorical"]["Action"] == ["s3:PutObject", "s3:DeleteObject"]
    assert statements["UnloadHistorical"]["Resource"] == [f"{bucket_arn}/{names.HISTORICAL_PREFIX}*"]
    writes = [
        s
        for s in statements.values()
        if any(a.startswith(("s3:Put", "s3:Delete")) for a in s["Action"] if isinstance(s["Action"], list))
    ]
    assert writes == [statements["UnloadHistorical"]]
    actions = {
        a
        for s in statements.values()
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert not any("*" in a for a in actions)
    assert all(s["Effect"] == "Allow" and s["Resource"] != "*" for s in statements.values())


def test_objects_role_gets_usage_on_the_integration_unless_it_is_the_admin(mocks: RecordingMocks) -> None:
    declare(lambda: build().role_arn)
    grant = mocks.one("snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole").inputs
    assert grant["accountRoleName"] == "SYSADMIN" and grant["privileges"] == ["USAGE"]
    assert grant["onAccountObject"] == {"objectType": "INTEGRATION", "objectName": names.STORAGE_INTEGRATION}

    mocks.resources.clear()
    declare(lambda: build(SnowflakeDeployRoles(admin="ACCOUNTADMIN", objects="ACCOUNTADMIN")).role_arn)
    assert mocks.of_type("snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole") == []


def test_children_are_parented(mocks: RecordingMocks) -> None:
    declare(lambda: assert_parented(build(), "c360:snowflake_access:SnowflakeAccess"))


def test_guards_fail_loudly() -> None:
    with pytest.raises(ValueError, match="differs from the ARN the storage integration trusts"):
        _same_arn(["arn:aws:iam::1:role/other/c360", "arn:aws:iam::1:role/c360"])
    with pytest.raises(ValueError, match="reported no STORAGE_AWS_IAM_USER_ARN"):
        snowflake_user_arn([])
    assert snowflake_user_arn([{"iam_user_arn": SNOWFLAKE_USER_ARN}]) == SNOWFLAKE_USER_ARN
