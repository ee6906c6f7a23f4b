"""DataLake under mocks: bucket hardening, lifecycle, and the streaming notification wiring."""

from __future__ import annotations

import json

import pytest

from c360 import names
from components.data_lake import DataLake, DataLakeArgs
from components.tags import REQUIRED_TAGS, standard_tags
from policy.c360_rules import lifecycle_violations
from tests.unit.pulumi_stack.conftest import (
    ACCOUNT_ID,
    SNOWFLAKE_USER_ARN,
    RecordingMocks,
    assert_parented,
    declare,
    snapshot,
)

BUCKET = "c360-test-landing-123456789012"
TAGS = standard_tags("c360", "test", "platform@example.com")


def build() -> DataLake:
    return DataLake(
        "lake",
        DataLakeArgs(
            bucket_name=BUCKET,
            resource_prefix="c360-test",
            aws_account_id=ACCOUNT_ID,
            snowpipe_subscriber_arn=SNOWFLAKE_USER_ARN,
            tags=TAGS,
        ),
    )


@pytest.fixture(scope="module")
def lake() -> RecordingMocks:
    return snapshot(lambda: build().bucket_name)


def test_bucket_is_versioned_encrypted_private_and_tls_only(lake: RecordingMocks) -> None:
    bucket = lake.one("aws:s3/bucket:Bucket")
    assert bucket.inputs["bucket"] == BUCKET
    assert bucket.inputs["forceDestroy"] is False
    assert "acl" not in bucket.inputs
    assert lake.one("aws:s3/bucketVersioning:BucketVersioning").inputs["versioningConfiguration"] == {
        "status": "Enabled"
    }
    sse = lake.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ).inputs["rules"]
    assert sse[0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    block = lake.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        block[k] is True
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert lake.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    policy = json.loads(lake.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(statement["Resource"]) == {f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"}


def test_historical_data_moves_to_infrequent_access_after_90_days(lake: RecordingMocks) -> None:
    """Defect 8: not Glacier, which Snowflake cannot COPY from without a restore."""
    lifecycle = lake.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    rules = {r["id"]: r for r in lifecycle.inputs["rules"]}
    archive = rules["historical-to-infrequent-access"]
    assert archive["status"] == "Enabled"
    assert archive["filter"] == {"prefix": names.HISTORICAL_PREFIX}
    assert archive["transitions"] == [{"days": 90, "storageClass": "STANDARD_IA"}]
    assert lifecycle_violations(lifecycle.typ, lifecycle.inputs) == []
    glacier = {
        **lifecycle.inputs,
        "rules": [{**archive, "transitions": [{"days": 90, "storageClass": "GLACIER"}]}],
    }
    assert lifecycle_violations(lifecycle.typ, glacier)  # the policy pack refuses the old rule
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {"noncurrentDays": 30}


def test_streaming_prefix_notifies_the_topic_that_feeds_the_queue(lake: RecordingMocks) -> None:
    topic = lake.one("aws:sns/topic:Topic")
    topic_arn = f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:{topic.inputs['name']}"
    (notification,) = lake.one("aws:s3/bucketNotification:BucketNotification").inputs["topics"]
    assert notification["filterPrefix"] == names.STREAMING_PREFIX
    assert notification["events"] == ["s3:ObjectCreated:*"]
    assert notification["topicArn"] == topic_arn

    queues = {q.inputs["name"]: q for q in lake.of_type("aws:sqs/queue:Queue")}
    queue, dlq = queues["c360-test-landing-events"], queues["c360-test-landing-events-dlq"]
    subscription = lake.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert subscription["topic"] == topic_arn and subscription["protocol"] == "sqs"
    assert subscription["endpoint"] == f"arn:aws:sqs:us-east-1:{ACCOUNT_ID}:c360-test-landing-events"
    assert subscription["rawMessageDelivery"] is True
    assert json.loads(queue.inputs["redrivePolicy"])["deadLetterTargetArn"].endswith(dlq.inputs["name"])
    assert queue.inputs["sqsManagedSseEnabled"] is True and dlq.inputs["sqsManagedSseEnabled"] is True

    queue_policy = json.loads(lake.one("aws:sqs/queuePolicy:QueuePolicy").inputs["policy"])
    allow = next(s for s in queue_policy["Statement"] if s["Effect"] == "Allow")
    assert allow["Principal"] == {"Service": "sns.amazonaws.com"}
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": topic_arn}}


def test_topic_policy_lets_only_this_bucket_publish_and_snowflake_subscribe(lake: RecordingMocks) -> None:
    statements = {
        s["Sid"]: s
        for s in json.loads(lake.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])["Statement"]
    }
    publish = statements["AllowLandingBucketPublish"]
    assert publish["Principal"] == {"Service": "s3.amazonaws.com"} and publish["Action"] == "sns:Publish"
    assert publish["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:s3:::{BUCKET}"}
    assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}
    subscribe = statements["AllowSnowpipeSubscribe"]
    assert subscribe["Principal"] == {"AWS": SNOWFLAKE_USER_ARN} and subscribe["Action"] == "sns:Subscribe"


def test_every_taggable_resource_carries_the_required_tags(lake: RecordingMocks) -> None:
    tagged = [
        r
        for r in lake.resources
        if r.typ in ("aws:s3/bucket:Bucket", "aws:sns/topic:Topic", "aws:sqs/queue:Queue")
    ]
    assert len(tagged) == 4
    for resource in tagged:
        assert set(REQUIRED_TAGS) <= set(resource.inputs["tags"]), resource.name


def test_children_are_parented_and_named_after_the_component(mocks: RecordingMocks) -> None:
    declare(lambda: assert_parented(build(), "c360:data_lake:DataLake"))
    assert mocks.one("c360:data_lake:DataLake").name == "lake"
    children = [r for r in mocks.resources if r.typ.startswith("aws:")]
    assert len(children) == 14 and all(r.name.startswith("lake-") for r in children)


def test_args_reject_unknown_encryption_and_day_counts() -> None:
    with pytest.raises(ValueError, match="sse_algorithm"):
        DataLakeArgs(BUCKET, "c360-test", ACCOUNT_ID, SNOWFLAKE_USER_ARN, sse_algorithm="none")
    with pytest.raises(ValueError, match="at least 30"):
        DataLakeArgs(BUCKET, "c360-test", ACCOUNT_ID, SNOWFLAKE_USER_ARN, historical_archive_days=29)
