"""Policy validators called directly with compliant and non-compliant resources, and through the
pulumi-policy wrappers the pack registers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs

from components.tags import standard_tags
from policy.c360_rules import (
    BUCKET,
    BUCKET_POLICY,
    ENCRYPTION,
    PUBLIC_ACCESS_BLOCK,
    SHARE_GRANT,
    VALIDATORS,
    VERSIONING,
    VIEW,
    WAREHOUSE,
    bucket_violations,
    grant_violations,
    share_violations,
    stack_bucket_violations,
    tag_violations,
    warehouse_violations,
)

TAGS = standard_tags("c360", "dev", "platform@example.com")
TLS_POLICY = json.dumps(
    {
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    }
)
PAB = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}
GRANT_TO_ROLE = "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole"
ROLE_TO_ROLE = "snowflake:index/grantAccountRole:GrantAccountRole"


def run_resource_policy(name: str, resource_type: str, props: dict[str, Any]) -> list[str]:
    reported: list[str] = []
    args = ResourceValidationArgs(
        resource_type, props, f"urn:pulumi:dev::c360::{resource_type}::r", "r", None, None
    )
    VALIDATORS[name](args, lambda message, urn=None: reported.append(message))
    return reported


def test_bucket_settings() -> None:
    assert bucket_violations(BUCKET, {"bucket": "b", "tags": TAGS}) == []
    assert bucket_violations(BUCKET, {"bucket": "b", "acl": "public-read"}) == [
        "bucket ACL 'public-read' makes objects public"
    ]
    assert bucket_violations(PUBLIC_ACCESS_BLOCK, PAB) == []
    assert bucket_violations(PUBLIC_ACCESS_BLOCK, {**PAB, "restrictPublicBuckets": False}) != []
    assert (
        "ignorePublicAcls"
        in bucket_violations(PUBLIC_ACCESS_BLOCK, {k: v for k, v in PAB.items() if k != "ignorePublicAcls"})[
            0
        ]
    )
    assert bucket_violations(VERSIONING[0], {"versioningConfiguration": {"status": "Enabled"}}) == []
    assert bucket_violations(VERSIONING[0], {"versioningConfiguration": {"status": "Suspended"}}) != []
    assert (
        bucket_violations(
            ENCRYPTION[0], {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]}
        )
        == []
    )
    assert bucket_violations(ENCRYPTION[0], {"rules": []}) != []
    assert bucket_violations(BUCKET_POLICY, {"policy": TLS_POLICY}) == []
    public = json.dumps(
        {
            "Statement": [
                {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject"}
            ]
        }
    )
    found = bucket_violations(BUCKET_POLICY, {"policy": public})
    assert any("allows any principal" in m for m in found) and any(
        "deny requests without TLS" in m for m in found
    )


def test_stack_level_bucket_hardening() -> None:
    def resource(typ: str, props: dict[str, Any], name: str) -> dict[str, Any]:
        return {"type": typ, "name": name, "props": props, "bucket_refs": {props.get("bucket")}}

    complete = [
        {"type": BUCKET, "name": "lake-bucket", "props": {"bucket": "b"}, "bucket_refs": set()},
        resource(VERSIONING[0], {"bucket": "b", "versioningConfiguration": {"status": "Enabled"}}, "v"),
        resource(
            ENCRYPTION[0],
            {"bucket": "b", "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
            "e",
        ),
        resource(PUBLIC_ACCESS_BLOCK, {"bucket": "b", **PAB}, "p"),
        resource(BUCKET_POLICY, {"bucket": "b", "policy": TLS_POLICY}, "tls"),
    ]
    assert stack_bucket_violations(complete) == []
    assert stack_bucket_violations(complete[:1] + complete[2:]) == ["bucket lake-bucket lacks versioning"]
    other = [{**r, "bucket_refs": {"another-bucket"}} if r["type"] == ENCRYPTION[0] else r for r in complete]
    assert stack_bucket_violations(other) == ["bucket lake-bucket lacks server-side encryption"]
    weak = [
        resource(PUBLIC_ACCESS_BLOCK, {"bucket": "b", **PAB, "blockPublicPolicy": False}, "p")
        if r["name"] == "p"
        else r
        for r in complete
    ]
    assert any("public-access blocks" in m for m in stack_bucket_violations(weak))


def test_stack_policy_through_the_wrapper_uses_property_dependencies() -> None:
    bucket = PolicyResource(BUCKET, {"bucket": "b"}, "urn:bucket", "lake-bucket", None, None, None, [], {})
    versioning = PolicyResource(
        VERSIONING[0],
        {"versioningConfiguration": {"status": "Enabled"}},
        "urn:v",
        "v",
        None,
        None,
        None,
        [bucket],
        {"bucket": [bucket]},
    )
    reported: list[str] = []
    VALIDATORS["s3-bucket-hardening"](
        StackValidationArgs([bucket, versioning]), lambda m, urn=None: reported.append(m)
    )
    assert reported == [
        "bucket lake-bucket lacks server-side encryption",
        "bucket lake-bucket lacks a public-access block",
        "bucket lake-bucket lacks a TLS-only bucket policy",
    ]


@pytest.mark.parametrize(
    ("resource_type", "props", "bad"),
    [
        (GRANT_TO_ROLE, {"accountRoleName": "DATA_ANALYST", "privileges": ["SELECT"]}, False),
        (GRANT_TO_ROLE, {"accountRoleName": "ACCOUNTADMIN", "privileges": ["USAGE"]}, True),
        (GRANT_TO_ROLE, {"accountRoleName": "public", "privileges": ["USAGE"]}, True),
        (ROLE_TO_ROLE, {"roleName": "DATA_ANALYST", "parentRoleName": "SYSADMIN"}, False),
        (ROLE_TO_ROLE, {"roleName": "DATA_ANALYST", "parentRoleName": "ACCOUNTADMIN"}, True),
        (ROLE_TO_ROLE, {"roleName": "DATA_ENGINEER", "userName": "C360_PIPELINE"}, False),
        ("snowflake:index/grantOwnership:GrantOwnership", {"accountRoleName": "PUBLIC"}, True),
    ],
)
def test_no_grants_to_accountadmin_or_public(resource_type: str, props: dict[str, Any], bad: bool) -> None:
    assert bool(grant_violations(resource_type, props)) is bad
    assert bool(run_resource_policy("snowflake-no-admin-public-grants", resource_type, props)) is bad


@pytest.mark.parametrize(
    ("auto_suspend", "bad"), [(60, False), (300, False), (301, True), (0, True), (None, True)]
)
def test_warehouse_auto_suspend(auto_suspend: int | None, bad: bool) -> None:
    props = {"name": "C360_WH"} if auto_suspend is None else {"name": "C360_WH", "autoSuspend": auto_suspend}
    assert bool(warehouse_violations(WAREHOUSE, props)) is bad
    assert bool(run_resource_policy("snowflake-warehouse-auto-suspend", WAREHOUSE, props)) is bad


def test_required_tags() -> None:
    assert tag_violations("aws:sqs/queue:Queue", {"name": "q", "tags": TAGS}) == []
    assert tag_violations("aws:sqs/queue:Queue", {"name": "q"}) == [
        "missing required tags: project, environment, owner, managed-by"
    ]
    assert tag_violations("aws:iam/role:Role", {"tags": {**TAGS, "owner": ""}}) == [
        "missing required tags: owner"
    ]
    assert tag_violations("aws:ec2/vpc:Vpc", {"tags": {"project": "c360"}}) != []  # any tagged AWS resource
    assert tag_violations("aws:s3/bucketPolicy:BucketPolicy", {"policy": "{}"}) == []  # takes no tags
    assert tag_violations("snowflake:index/warehouse:Warehouse", {}) == []
    assert run_resource_policy("aws-required-tags", "aws:sns/topic:Topic", {"name": "t"}) != []


def test_unknown_preview_values_are_not_violations() -> None:
    assert bucket_violations(BUCKET_POLICY, {"policy": None}) == []
    assert warehouse_violations(WAREHOUSE, {"autoSuspend": object()}) == []


def test_the_pack_registers_every_rule_as_mandatory() -> None:
    from policy.c360_rules import POLICIES

    assert {p.name for p in POLICIES} == set(VALIDATORS)
    assert all(p.enforcement_level.value == "mandatory" for p in POLICIES)


def test_landing_files_never_move_to_an_archival_storage_class() -> None:
    """Snowflake cannot COPY from Glacier / Deep Archive without a restore (defect 8)."""
    lifecycle = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"

    def rules(storage_class: str) -> dict[str, Any]:
        return {"rules": [{"id": "history", "transitions": [{"days": 90, "storageClass": storage_class}]}]}

    assert run_resource_policy("s3-readable-by-snowflake", lifecycle, rules("STANDARD_IA")) == []
    assert run_resource_policy("s3-readable-by-snowflake", lifecycle, rules("GLACIER_IR")) == []
    assert run_resource_policy("s3-readable-by-snowflake", lifecycle, rules("GLACIER")) != []
    assert run_resource_policy("s3-readable-by-snowflake", lifecycle, rules("DEEP_ARCHIVE")) != []


# ---- the secure share (issue 16) -------------------------------------------------------------------------


def shared(
    statement: str, *, secure: str = "true", grant: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    view = {
        "type": VIEW,
        "name": "sharing-view",
        "props": {
            "database": "CUSTOMER_ANALYTICS",
            "schema": "GOLD",
            "name": "V",
            "isSecure": secure,
            "statement": statement,
        },
    }
    target = grant or {"onView": "CUSTOMER_ANALYTICS.GOLD.V"}
    share = {
        "type": SHARE_GRANT,
        "name": "sharing-grant-view",
        "props": {"toShare": "S", "privileges": ["SELECT"], **target},
    }
    return [view, share]


def test_the_stack_s_own_shared_view_passes() -> None:
    from c360.sharing import view_statement

    assert share_violations(shared(view_statement())) == []


@pytest.mark.parametrize(
    ("statement", "secure", "grant", "reason"),
    [
        ("select state, email from CUSTOMER_ANALYTICS.GOLD.CUSTOMER_360_PROFILE", "true", None, "email"),
        ("select state, full_name as who from GOLD.CUSTOMER_360_PROFILE", "true", None, "full_name"),
        ("select md5(customer_id) as k, state from GOLD.P", "true", None, "customer_id"),  # derived from it
        ("select state, age from GOLD.P", "true", None, "age"),
        ("select * from GOLD.CUSTOMER_360_PROFILE", "true", None, "selects \\*"),
        ("select p.* from GOLD.CUSTOMER_360_PROFILE as p", "true", None, "selects \\*"),
        ("select state from GOLD.P", "false", None, "not SECURE"),
        (
            "select state from GOLD.P",
            "true",
            {"onTable": "CUSTOMER_ANALYTICS.GOLD.CUSTOMER_360_PROFILE"},
            "share a secure view",
        ),
        (
            "select state from GOLD.P",
            "true",
            {"onAllTablesInSchema": "CUSTOMER_ANALYTICS.GOLD"},
            "all tables",
        ),
        (
            "select state from GOLD.P",
            "true",
            {"onView": "CUSTOMER_ANALYTICS.GOLD.UNDECLARED"},
            "does not declare",
        ),
    ],
)
def test_the_policy_pack_rejects_a_share_with_personal_data(
    statement: str, secure: str, grant: dict[str, str] | None, reason: str
) -> None:
    resources = shared(statement, secure=secure, grant=grant)
    assert any(re.search(reason, m) for m in share_violations(resources)), share_violations(resources)
    rows = [
        PolicyResource(r["type"], r["props"], f"urn:{r['name']}", r["name"], None, None, None, [], {})
        for r in resources
    ]
    reported: list[str] = []
    VALIDATORS["snowflake-share-no-personal-data"](
        StackValidationArgs(rows), lambda m, urn=None: reported.append(m)
    )
    assert reported  # through the pack's wrapper too


def test_unknown_share_values_during_preview_are_not_violations() -> None:
    assert share_violations(shared(None)) == []  # type: ignore[arg-type]
