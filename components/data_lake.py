"""DataLake: the landing bucket and its file events.

- S3 bucket with versioning, SSE, all four public-access blocks, BucketOwnerEnforced (no ACLs), a
  TLS-only bucket policy and lifecycle rules (historical unloads to S3 Standard-IA after N days, old
  object versions expire, abandoned multipart uploads are aborted). Not Glacier: Snowflake cannot COPY
  from archival storage classes that need a restore (https://docs.snowflake.com/en/sql-reference/sql/
  copy-into-table), so a re-load of the history would fail; Standard-IA is cheaper and still readable.
- Key layout from c360.names: customers/, transactions/historical/, transactions/streaming/ (S3 has
  no folders; the prefixes exist through the IAM policy, the integration's allowed locations, the
  lifecycle filter and the notification filter — no marker objects, which would fire events).
- File events: ObjectCreated under transactions/streaming/ -> SNS topic. Snowpipe subscribes its own
  SQS queue to the topic (the pipe is created with AWS_SNS_TOPIC; the topic policy lets Snowflake's
  IAM user subscribe). The stack's own SQS queue (with a dead-letter queue) receives the same events
  for c360's runtime consumers and audits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from c360 import names
from components.snowflake_context import child

SSE_ALGORITHMS = ("AES256", "aws:kms")
ARCHIVE_CLASS = "STANDARD_IA"  # readable by COPY; S3 moves objects there no sooner than 30 days
MIN_ARCHIVE_DAYS = 30


@dataclass(frozen=True)
class DataLakeArgs:
    bucket_name: pulumi.Input[str]
    resource_prefix: str  # e.g. "c360-dev": names of the topic and queues
    aws_account_id: pulumi.Input[str]
    snowpipe_subscriber_arn: pulumi.Input[str]  # Snowflake's IAM user (storage integration describe output)
    tags: Mapping[str, str] = field(default_factory=dict)
    sse_algorithm: str = "AES256"
    historical_archive_days: int = 90
    noncurrent_version_days: int = 30
    force_destroy: bool = False
    protect: bool = False

    def __post_init__(self) -> None:
        if self.sse_algorithm not in SSE_ALGORITHMS:
            raise ValueError(f"sse_algorithm must be one of {SSE_ALGORITHMS}, got {self.sse_algorithm!r}")
        if self.historical_archive_days < MIN_ARCHIVE_DAYS or self.noncurrent_version_days < 1:
            raise ValueError(
                f"historical_archive_days must be at least {MIN_ARCHIVE_DAYS} (S3's minimum for {ARCHIVE_CLASS}) "
                "and noncurrent_version_days at least 1"
            )


def tls_only_policy(bucket_arn: str) -> str:
    """Deny every S3 action on the bucket and its objects over plain HTTP."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def topic_policy(topic_arn: str, bucket_arn: str, account_id: str, snowflake_principal: str) -> str:
    """S3 (this bucket, this account) may publish; Snowflake's IAM user may subscribe its pipe queue."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowLandingBucketPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {
                        "ArnLike": {"aws:SourceArn": bucket_arn},
                        "StringEquals": {"aws:SourceAccount": account_id},
                    },
                },
                {
                    "Sid": "AllowSnowpipeSubscribe",
                    "Effect": "Allow",
                    "Principal": {"AWS": snowflake_principal},
                    "Action": "sns:Subscribe",
                    "Resource": topic_arn,
                },
            ],
        }
    )


def queue_policy(queue_arn: str, topic_arn: str) -> str:
    """Only the landing topic may send; nobody may use the queue without TLS."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowLandingTopic",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                },
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sqs:*",
                    "Resource": queue_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )


class DataLake(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    topic_arn: pulumi.Output[str]
    queue_url: pulumi.Output[str]
    queue_arn: pulumi.Output[str]
    prefix_urls: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: DataLakeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("c360:data_lake:DataLake", name, {}, opts)
        tags = dict(args.tags)

        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            force_destroy=args.force_destroy,
            tags=tags,
            opts=child(self, protect=args.protect),
        )
        self.ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child(self),
        )
        self.public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child(self),
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child(self),
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {"sse_algorithm": args.sse_algorithm},
                    "bucket_key_enabled": args.sse_algorithm == "aws:kms",
                }
            ],
            opts=child(self),
        )
        self.policy = aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(tls_only_policy),
            opts=child(self, depends_on=[self.public_access]),
        )
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.bucket.id,
            rules=[
                {
                    "id": "historical-to-infrequent-access",
                    "status": "Enabled",
                    "filter": {"prefix": names.HISTORICAL_PREFIX},
                    "transitions": [{"days": args.historical_archive_days, "storage_class": ARCHIVE_CLASS}],
                },
                {
                    "id": "expire-noncurrent-versions",
                    "status": "Enabled",
                    "filter": {},
                    "noncurrent_version_expiration": {"noncurrent_days": args.noncurrent_version_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                },
            ],
            opts=child(self, depends_on=[self.versioning]),
        )

        # ---- file events: bucket -> SNS -> (Snowpipe's SQS, our SQS) -----------------------------
        self.topic = aws.sns.Topic(
            f"{name}-events",
            name=f"{args.resource_prefix}-landing-events",
            tags=tags,
            opts=child(self),
        )
        self.topic_policy = aws.sns.TopicPolicy(
            f"{name}-events-policy",
            arn=self.topic.arn,
            policy=pulumi.Output.all(
                self.topic.arn, self.bucket.arn, args.aws_account_id, args.snowpipe_subscriber_arn
            ).apply(lambda a: topic_policy(a[0], a[1], a[2], a[3])),
            opts=child(self),
        )
        self.dead_letters = aws.sqs.Queue(
            f"{name}-events-dlq",
            name=f"{args.resource_prefix}-landing-events-dlq",
            message_retention_seconds=14 * 24 * 3600,
            sqs_managed_sse_enabled=True,
            tags=tags,
            opts=child(self),
        )
        self.queue = aws.sqs.Queue(
            f"{name}-events-queue",
            name=f"{args.resource_prefix}-landing-events",
            visibility_timeout_seconds=300,
            receive_wait_time_seconds=20,
            message_retention_seconds=4 * 24 * 3600,
            sqs_managed_sse_enabled=True,
            redrive_policy=self.dead_letters.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
            ),
            tags=tags,
            opts=child(self),
        )
        self.queue_policy = aws.sqs.QueuePolicy(
            f"{name}-events-queue-policy",
            queue_url=self.queue.url,
            policy=pulumi.Output.all(self.queue.arn, self.topic.arn).apply(
                lambda a: queue_policy(a[0], a[1])
            ),
            opts=child(self),
        )
        self.subscription = aws.sns.TopicSubscription(
            f"{name}-events-subscription",
            topic=self.topic.arn,
            protocol="sqs",
            endpoint=self.queue.arn,
            raw_message_delivery=True,  # the queue body is the S3 event itself
            opts=child(self, depends_on=[self.queue_policy]),
        )
        self.notification = aws.s3.BucketNotification(
            f"{name}-streaming-notification",
            bucket=self.bucket.id,
            topics=[
                {
                    "topic_arn": self.topic.arn,
                    "events": ["s3:ObjectCreated:*"],
                    "filter_prefix": names.STREAMING_PREFIX,
                }
            ],
            opts=child(self, depends_on=[self.topic_policy]),  # S3 checks it may publish
        )

        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        self.topic_arn = self.topic.arn
        self.queue_url = self.queue.url
        self.queue_arn = self.queue.arn
        self.prefix_urls = {
            "customers": self.bucket.bucket.apply(lambda b: f"s3://{b}/{names.CUSTOMERS_PREFIX}"),
            "historical": self.bucket.bucket.apply(lambda b: f"s3://{b}/{names.HISTORICAL_PREFIX}"),
            "streaming": self.bucket.bucket.apply(lambda b: f"s3://{b}/{names.STREAMING_PREFIX}"),
        }
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "bucket_arn": self.bucket_arn,
                "topic_arn": self.topic_arn,
                "queue_url": self.queue_url,
                "queue_arn": self.queue_arn,
            }
        )
