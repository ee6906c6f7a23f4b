"""The production event path under moto: S3 notification -> (SNS ->) SQS -> parse -> consume -> pipe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from c360.engines.duckdb import DuckDBSession
from c360.landing.events import EventParseError, parse_message, s3_event_message
from c360.landing.pipe import PipeOptions, ensure_pipe_tables, run_pipe
from c360.landing.queue import QueueError
from c360.landing.sqs import SqsNotificationQueue
from c360.storage.base import ObjectEvent
from c360.storage.s3 import S3ObjectStore
from tests.unit.pipe_harness import csv_body, row

BUCKET = "c360-landing-test"
REGION = "us-east-1"
PREFIX = "transactions/streaming/"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        yield


def _queue(name: str) -> tuple[str, str]:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _drain(queue: SqsNotificationQueue) -> list[str]:
    bodies = []
    while batch := queue.receive(10, visibility_timeout=30):
        for message in batch:
            bodies.append(message.body)
            queue.delete(message)
    return bodies


# ---- parsing ------------------------------------------------------------------------------------


def test_parse_s3_record_decodes_the_key_and_time() -> None:
    body = json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventTime": "2026-10-15T09:00:01.250Z",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": BUCKET},
                        "object": {
                            "key": "transactions/streaming/2026/10/15/09/my+file%3A1.csv",
                            "size": 10,
                            "eTag": '"abc"',
                        },
                    },
                },
                {
                    "eventSource": "aws:s3",
                    "eventTime": "2026-10-15T09:00:02Z",
                    "eventName": "ObjectRemoved:Delete",
                    "s3": {"bucket": {"name": BUCKET}, "object": {"key": "x.csv"}},
                },
            ]
        }
    )
    parsed = parse_message(body)
    (event,) = parsed.events
    assert event.key == "transactions/streaming/2026/10/15/09/my file:1.csv"
    assert (event.bucket, event.size, event.etag) == (BUCKET, 10, "abc")
    assert event.event_time == datetime(2026, 10, 15, 9, 0, 1, 250000, tzinfo=UTC)
    assert parsed.ignored == ("ObjectRemoved:Delete x.csv",)


def test_parse_sns_envelope_and_test_event() -> None:
    inner = s3_event_message(
        ObjectEvent(BUCKET, f"{PREFIX}a.csv", 3, "e", datetime(2026, 10, 15, tzinfo=UTC))
    )
    envelope = json.dumps({"Type": "Notification", "MessageId": "1", "TopicArn": "arn:x", "Message": inner})
    assert parse_message(envelope).events[0].key == f"{PREFIX}a.csv"
    test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": BUCKET})
    assert parse_message(test_event).kind == "test" and parse_message(test_event).events == ()
    wrapped_test = json.dumps({"Type": "Notification", "Message": test_event})
    assert parse_message(wrapped_test).kind == "test"


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not an object"),
        ('{"Records": []}', "no S3 'Records'"),
        ('{"Records": [{"eventSource": "aws:sqs"}]}', "not an S3 event"),
        (
            '{"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put"}]}',
            "lacks s3.bucket.name",
        ),
        (
            '{"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "eventTime": "yesterday",'
            ' "s3": {"bucket": {"name": "b"}, "object": {"key": "k"}}}]}',
            "not ISO 8601",
        ),
        ('{"Type": "Notification", "Message": "{broken"}', "SNS Message is not JSON"),
    ],
)
def test_parse_rejects_what_is_not_an_s3_event(body: str, phrase: str) -> None:
    with pytest.raises(EventParseError, match=phrase.replace("(", r"\(").replace("'", ".")):
        parse_message(body)


# ---- moto: S3 -> SQS and S3 -> SNS -> SQS -----------------------------------------------------------


def test_s3_notifies_sqs_and_the_consumer_parses_it(aws: None) -> None:
    url, arn = _queue("c360-pipe-events")
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": PREFIX}]}},
                }
            ]
        },
    )
    queue = SqsNotificationQueue(url, region=REGION, wait_seconds=0)
    kinds = [parse_message(body).kind for body in _drain(queue)]
    assert kinds == ["test"]  # S3 sends s3:TestEvent when the configuration is saved

    store = S3ObjectStore(BUCKET, region=REGION)
    store.put_bytes(f"{PREFIX}2026/10/15/09/transactions_20261015T090000.csv", b"a,b\n")
    store.put_bytes("customers/customers.csv", b"x")  # outside the prefix filter: no event
    events = [e for body in _drain(queue) for e in parse_message(body).events]
    assert [(e.bucket, e.key, e.size) for e in events] == [
        (BUCKET, f"{PREFIX}2026/10/15/09/transactions_20261015T090000.csv", 4)
    ]


def test_sns_wrapped_notifications_reach_the_consumer(aws: None) -> None:
    url, arn = _queue("c360-pipe-events-sns")
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="c360-landing-events")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)  # no raw delivery: SNS envelopes
    boto3.client("s3", region_name=REGION).put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    queue = SqsNotificationQueue(url, region=REGION, wait_seconds=0)
    S3ObjectStore(BUCKET, region=REGION).put_bytes(f"{PREFIX}x.csv", b"abc")
    bodies = _drain(queue)
    assert all(json.loads(b)["Type"] == "Notification" for b in bodies)
    parsed = [parse_message(b) for b in bodies]
    assert [p.kind for p in parsed] == ["test", "s3"]
    assert parsed[1].events[0].key == f"{PREFIX}x.csv"


def test_sqs_visibility_timeout_redelivers_until_deleted(aws: None) -> None:
    url, _ = _queue("c360-visibility")
    queue = SqsNotificationQueue(url, region=REGION, wait_seconds=0)
    queue.send("event-body")
    (first,) = queue.receive(visibility_timeout=30)
    assert first.receive_count == 1 and queue.receive(visibility_timeout=30) == []
    assert queue.depth().in_flight == 1
    queue.change_visibility(first, 0)  # the consumer crashed / gave up: visible again
    (second,) = queue.receive(visibility_timeout=0)  # a zero timeout: the next receive gets it too
    (third,) = queue.receive(visibility_timeout=30)
    assert (second.message_id, third.message_id) == (first.message_id, first.message_id)
    assert third.receive_count == 3
    assert queue.delete(third)
    assert queue.receive() == [] and queue.depth().visible == queue.depth().in_flight == 0


def test_pipe_consumes_sqs_and_loads_from_s3(aws: None, tmp_path: Path) -> None:
    url, arn = _queue("c360-pipe")
    boto3.client("s3", region_name=REGION).put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    session = DuckDBSession.open(tmp_path / "customer_analytics.duckdb")
    ensure_pipe_tables(session)
    session.execute("insert into BRONZE.BRONZE_CUSTOMERS (customer_id) values ('CUST00000001')")
    store = S3ObjectStore(BUCKET, region=REGION)
    key = f"{PREFIX}2026/10/15/09/transactions_20261015T090000.csv"
    body = csv_body(row("TXS0001"), row("TXS0002", amount="-1"))
    store.put_bytes(key, body)
    queue = SqsNotificationQueue(url, region=REGION, wait_seconds=0)
    run = run_pipe(session, store, queue, PipeOptions(clock=lambda: datetime(2026, 10, 15, 12)))
    assert run.test_events == 1
    (load,) = run.loads
    assert (load.status, load.rows_loaded, load.rows_quarantined) == ("PARTIALLY_LOADED", 1, 1)
    store.put_bytes(key, body)  # the same object written again: a second event, same checksum
    (again,) = run_pipe(session, store, queue, PipeOptions(clock=lambda: datetime(2026, 10, 15, 12))).loads
    assert again.status == "SKIPPED_DUPLICATE"
    assert session.scalar("select count(*) from BRONZE.BRONZE_TRANSACTIONS") == 1
    assert queue.depth().visible == queue.depth().in_flight == 0
    session.close()


def _fail_next(client: Any, operation: str, times: int) -> list[int]:
    """Answer the next `times` HTTP calls of `operation` with a 503 (moto still handles the request: it is the
    answer that is lost; botocore's retry handler is what calls again); the numbers of the calls that failed."""
    from botocore.awsrequest import AWSResponse

    failed: list[int] = []

    class Raw:
        def stream(self, **_: object) -> Iterator[bytes]:
            yield b'{"__type": "ServiceUnavailable", "message": "injected"}'

    def answer(**_: object) -> AWSResponse | None:
        if len(failed) >= times:
            return None
        failed.append(len(failed) + 1)
        return AWSResponse(client.meta.endpoint_url, 503, {}, Raw())

    client.meta.events.register_first(f"before-send.sqs.{operation}", answer)
    return failed


def test_sqs_retries_transient_errors_with_botocores_standard_mode(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", sleeps.append)  # botocore's backoff, recorded
    url, _ = _queue("c360-retries")
    queue = SqsNotificationQueue(url, region=REGION, wait_seconds=0, attempts=3)
    assert queue.client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    queue.send("event-body")
    failed = _fail_next(queue.client, "GetQueueAttributes", times=2)
    assert queue.depth().visible == 1
    assert failed == [1, 2] and len(sleeps) == 2  # two backoffs, then the third call answers
    _fail_next(queue.client, "GetQueueAttributes", times=10)
    with pytest.raises(QueueError, match=r"inspect .* failed after 3 attempt\(s\)"):
        queue.depth()
    assert len(sleeps) == 4
