"""The c360 policy rules: pure checks over resource properties, wrapped as Pulumi policies.

Each `*_violations` function takes a resource type and its properties (camelCase, as the engine hands
them to policy packs) and returns the violation messages; the tests call them directly with compliant
and non-compliant resources. Unknown values (a preview before dependencies exist) are not violations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import sqlglot
from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from c360.masking import NEVER_SHARED
from components.tags import REQUIRED_TAGS

BUCKET: Final = "aws:s3/bucket:Bucket"
BUCKET_V2: Final = "aws:s3/bucketV2:BucketV2"
VERSIONING: Final = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
ENCRYPTION: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
PUBLIC_ACCESS_BLOCK: Final = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY: Final = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ACL: Final = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
PUBLIC_ACLS: Final = frozenset({"public-read", "public-read-write", "authenticated-read"})
SSE_ALGORITHMS: Final = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})
PUBLIC_ACCESS_FLAGS: Final = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)

GRANT_TYPES: Final = {
    "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole": ("accountRoleName",),
    "snowflake:index/grantAccountRole:GrantAccountRole": ("parentRoleName",),
    "snowflake:index/grantOwnership:GrantOwnership": ("accountRoleName",),
    "snowflake:index/grantDatabaseRole:GrantDatabaseRole": ("parentRoleName",),
}
FORBIDDEN_GRANTEES: Final = frozenset({"ACCOUNTADMIN", "PUBLIC"})
WAREHOUSE: Final = "snowflake:index/warehouse:Warehouse"
LIFECYCLE: Final = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
# Storage classes an object must be restored from before it can be read: Snowflake cannot COPY or query
# files in them ("You cannot access data held in archival cloud storage classes that requires restoration
# before it can be retrieved": https://docs.snowflake.com/en/sql-reference/sql/copy-into-table).
ARCHIVAL_STORAGE_CLASSES: Final = frozenset({"GLACIER", "DEEP_ARCHIVE"})
MAX_AUTO_SUSPEND_SECONDS: Final = 300

# AWS types that take tags and that this kind of stack creates; any other AWS resource with a `tags`
# property is checked too.
TAGGABLE_AWS_TYPES: Final = frozenset(
    {
        BUCKET,
        BUCKET_V2,
        "aws:sns/topic:Topic",
        "aws:sqs/queue:Queue",
        "aws:iam/role:Role",
        "aws:iam/policy:Policy",
        "aws:kms/key:Key",
        "aws:lambda/function:Function",
        "aws:cloudwatch/logGroup:LogGroup",
    }
)


# ---- pure checks ----------------------------------------------------------------------------------
def bucket_violations(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """Buckets and the resources that configure them must keep the bucket private and encrypted."""
    found: list[str] = []
    if resource_type in (BUCKET, BUCKET_V2):
        if props.get("acl") in PUBLIC_ACLS:
            found.append(f"bucket ACL {props['acl']!r} makes objects public")
        if props.get("website"):
            found.append("buckets must not serve a public website")
    elif resource_type in BUCKET_ACL:
        if props.get("acl") in PUBLIC_ACLS:
            found.append(f"bucket ACL {props['acl']!r} makes objects public")
    elif resource_type == PUBLIC_ACCESS_BLOCK:
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if props.get(flag) is not True]
        if off:
            found.append(f"all four public-access blocks must be true; not set: {', '.join(off)}")
    elif resource_type in VERSIONING:
        status = (props.get("versioningConfiguration") or {}).get("status")
        if status != "Enabled":
            found.append(f"bucket versioning must be Enabled, got {status!r}")
    elif resource_type in ENCRYPTION:
        rules = props.get("rules") or []
        algorithms = [
            ((r or {}).get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm") for r in rules
        ]
        if not algorithms or any(a not in SSE_ALGORITHMS for a in algorithms):
            found.append(f"bucket encryption must use one of {sorted(SSE_ALGORITHMS)}, got {algorithms}")
    elif resource_type == BUCKET_POLICY:
        found.extend(policy_document_violations(props.get("policy")))
    return found


def policy_document_violations(document: object) -> list[str]:
    """A bucket policy may not allow anonymous principals, and must deny plain-HTTP access."""
    if not isinstance(document, str):
        return []  # unknown during preview
    try:
        policy = json.loads(document)
    except json.JSONDecodeError:
        return ["bucket policy is not valid JSON"]
    statements = policy.get("Statement") or []
    statements = [statements] if isinstance(statements, dict) else statements
    found = []
    for statement in statements:
        principal = statement.get("Principal")
        anonymous = principal == "*" or (
            isinstance(principal, dict) and "*" in _as_list(principal.get("AWS"))
        )
        if statement.get("Effect") == "Allow" and anonymous:
            found.append(f"bucket policy statement {statement.get('Sid', '?')!r} allows any principal")
    if not any(_denies_insecure_transport(s) for s in statements):
        found.append("bucket policy must deny requests without TLS (aws:SecureTransport = false)")
    return found


def stack_bucket_violations(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every bucket needs versioning (Enabled), encryption, all public-access blocks and a TLS-only
    policy attached. Each resource is {"type", "name", "props", "bucket_refs"}, where bucket_refs are
    the names/URNs of buckets it points at."""
    resources = list(resources)
    found: list[str] = []
    for bucket in (r for r in resources if r["type"] in (BUCKET, BUCKET_V2)):
        keys = {bucket["name"], bucket.get("urn"), (bucket["props"] or {}).get("bucket")} - {None}
        attached = [r for r in resources if keys & set(r.get("bucket_refs") or ())]
        for kind, types in (
            ("versioning", VERSIONING),
            ("server-side encryption", ENCRYPTION),
            ("a public-access block", (PUBLIC_ACCESS_BLOCK,)),
            ("a TLS-only bucket policy", (BUCKET_POLICY,)),
        ):
            configured = [r for r in attached if r["type"] in types]
            if not configured:
                found.append(f"bucket {bucket['name']} lacks {kind}")
            for r in configured:
                found.extend(
                    f"bucket {bucket['name']}: {m}" for m in bucket_violations(r["type"], r["props"])
                )
    return found


def grant_violations(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    found = []
    for key in GRANT_TYPES.get(resource_type, ()):
        grantee = props.get(key)
        if isinstance(grantee, str) and grantee.strip('"').upper() in FORBIDDEN_GRANTEES:
            found.append(f"grants to {grantee.upper()} are not allowed ({key})")
    return found


def warehouse_violations(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    if resource_type != WAREHOUSE:
        return []
    value = props.get("autoSuspend")
    if value is None:
        return [f"warehouse must set auto_suspend (at most {MAX_AUTO_SUSPEND_SECONDS} s)"]
    if not isinstance(value, int | float):
        return []  # unknown during preview
    if not 0 < value <= MAX_AUTO_SUSPEND_SECONDS:
        return [f"warehouse auto_suspend must be 1..{MAX_AUTO_SUSPEND_SECONDS} s, got {value:g}"]
    return []


def lifecycle_violations(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """No lifecycle rule moves landing files to a storage class Snowflake cannot read without a restore."""
    if resource_type not in LIFECYCLE:
        return []
    found = []
    for rule in props.get("rules") or []:
        if not isinstance(rule, Mapping):
            continue
        for transition in rule.get("transitions") or []:
            storage_class = str((transition or {}).get("storageClass", "")).upper()
            if storage_class in ARCHIVAL_STORAGE_CLASSES:
                found.append(
                    f"lifecycle rule {rule.get('id')!r} moves files to {storage_class}: Snowflake cannot COPY "
                    "from archival storage classes (use STANDARD_IA or GLACIER_IR)"
                )
    return found


def tag_violations(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    if not resource_type.startswith("aws:") or (
        resource_type not in TAGGABLE_AWS_TYPES and "tags" not in props
    ):
        return []
    tags = props.get("tags")
    if tags is not None and not isinstance(tags, Mapping):
        return []  # unknown during preview
    missing = [key for key in REQUIRED_TAGS if not (tags or {}).get(key)]
    return [f"missing required tags: {', '.join(missing)}"] if missing else []


SHARE_GRANT: Final = "snowflake:index/grantPrivilegesToShare:GrantPrivilegesToShare"
VIEW: Final = "snowflake:index/view:View"


def shared_view_violations(name: str, props: Mapping[str, Any]) -> list[str]:
    """A view granted to a share must be secure, list its columns, and use no personal column
    (c360/masking.py NEVER_SHARED: names, e-mail, customer number, age, city) anywhere in its query."""
    found = []
    if str(props.get("isSecure", "")).lower() != "true":
        found.append(f"view {name} is shared but not SECURE (shares may only hold secure views)")
    statement = props.get("statement")
    if not isinstance(statement, str):
        return found  # unknown during preview
    try:
        tree = sqlglot.parse_one(statement, read="snowflake")
    except (ParseError, TokenError) as exc:
        return [*found, f"view {name} is shared but its query does not parse: {exc}"]
    if any(
        isinstance(e, exp.Star) or (isinstance(e, exp.Column) and e.is_star)
        for e in tree.find_all(exp.Star, exp.Column)
    ):
        found.append(
            f"view {name} is shared and selects *: list the columns, so no personal column can slip in"
        )
    used = {c.name.lower() for c in tree.find_all(exp.Column)} | {
        a.alias.lower() for a in tree.find_all(exp.Alias)
    }
    personal = sorted(used & NEVER_SHARED)
    if personal:
        found.append(f"view {name} is shared but exposes personal data: {', '.join(personal)}")
    return found


def share_violations(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """Nothing with personal data is ever granted to a share: only declared secure views without personal
    columns (each resource is {"type", "name", "props"})."""
    resources = list(resources)
    views = {
        _fqn(r["props"]): (r["name"], r["props"])
        for r in resources
        if r["type"] == VIEW
        and all(isinstance(r["props"].get(k), str) for k in ("database", "schema", "name"))
    }
    found: list[str] = []
    for grant in (r for r in resources if r["type"] == SHARE_GRANT):
        props = grant["props"]
        if props.get("onTable") or props.get("onAllTablesInSchema"):
            target = props.get("onTable") or f"all tables in {props.get('onAllTablesInSchema')}"
            found.append(
                f"{grant['name']} grants {target} to a share: share a secure view without personal columns instead"
            )
            continue
        target = props.get("onView")
        if not isinstance(target, str):
            continue
        view = views.get(_normalize(target))
        if view is None:
            found.append(
                f"{grant['name']} shares view {target}, which this stack does not declare (its columns cannot be checked)"
            )
            continue
        found.extend(shared_view_violations(*view))
    return found


def _normalize(name: str) -> str:
    return re.sub(r'"', "", name).upper()


def _fqn(props: Mapping[str, Any]) -> str:
    return _normalize(f"{props['database']}.{props['schema']}.{props['name']}")


# ---- Pulumi policy wrappers -------------------------------------------------------------------------
Reporter = Callable[[str, str | None], None]


def resource_validator(
    check: Callable[[str, Mapping[str, Any]], list[str]],
) -> Callable[[ResourceValidationArgs, Reporter], None]:
    def validate(args: ResourceValidationArgs, report_violation: Reporter) -> None:
        for message in check(args.resource_type, args.props):
            report_violation(message, args.urn)

    return validate


def _stack_resources(resources: Iterable[PolicyResource]) -> list[dict[str, Any]]:
    rows = []
    for r in resources:
        refs: set[str] = set()
        for dependency in (r.property_dependencies or {}).get("bucket", []):
            refs.update({dependency.urn, dependency.name})
        if isinstance(r.props.get("bucket"), str):
            refs.add(r.props["bucket"])
        rows.append(
            {"type": r.resource_type, "name": r.name, "urn": r.urn, "props": r.props, "bucket_refs": refs}
        )
    return rows


def validate_stack_buckets(args: StackValidationArgs, report_violation: Reporter) -> None:
    for message in stack_bucket_violations(_stack_resources(args.resources)):
        report_violation(message, None)


def validate_shares(args: StackValidationArgs, report_violation: Reporter) -> None:
    for message in share_violations(_stack_resources(args.resources)):
        report_violation(message, None)


RESOURCE_RULES: Final = {
    "s3-private": (
        "S3 buckets and their settings keep data private, encrypted and versioned",
        bucket_violations,
    ),
    "snowflake-no-admin-public-grants": ("No Snowflake grants to ACCOUNTADMIN or PUBLIC", grant_violations),
    "snowflake-warehouse-auto-suspend": (
        f"Warehouses auto-suspend within {MAX_AUTO_SUSPEND_SECONDS} s",
        warehouse_violations,
    ),
    "aws-required-tags": (f"AWS resources carry the tags {', '.join(REQUIRED_TAGS)}", tag_violations),
    "s3-readable-by-snowflake": (
        "Lifecycle rules keep landing files in storage classes Snowflake can read",
        lifecycle_violations,
    ),
}
VALIDATORS: Final[dict[str, Callable[..., None]]] = {
    **{name: resource_validator(check) for name, (_, check) in RESOURCE_RULES.items()},
    "s3-bucket-hardening": validate_stack_buckets,
    "snowflake-share-no-personal-data": validate_shares,
}
POLICIES: Final = [
    *(
        ResourceValidationPolicy(
            name=name,
            description=description,
            validate=VALIDATORS[name],
            enforcement_level=EnforcementLevel.MANDATORY,
        )
        for name, (description, _) in RESOURCE_RULES.items()
    ),
    StackValidationPolicy(
        name="s3-bucket-hardening",
        description="Every bucket has versioning, SSE, all public-access blocks and a TLS-only policy",
        validate=VALIDATORS["s3-bucket-hardening"],
        enforcement_level=EnforcementLevel.MANDATORY,
    ),
    StackValidationPolicy(
        name="snowflake-share-no-personal-data",
        description="Shares hold only declared secure views without personal columns (c360/masking.py)",
        validate=VALIDATORS["snowflake-share-no-personal-data"],
        enforcement_level=EnforcementLevel.MANDATORY,
    ),
]


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition") or {}
    return statement.get("Effect") == "Deny" and any(
        str((condition.get(op) or {}).get("aws:SecureTransport")).lower() == "false"
        for op in ("Bool", "BoolIfExists")
    )
