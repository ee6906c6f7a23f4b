"""S3 event notifications: build them (the local queue carries the same JSON S3 sends) and parse them.

A queue message body is one of
- an S3 event notification: {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
  "eventTime": ..., "s3": {"bucket": {"name": ...}, "object": {"key": <URL-encoded>, "size": ..., "eTag": ...}}}]}
- the same wrapped in an SNS envelope ({"Type": "Notification", "Message": "<the S3 JSON as a string>"}) when
  the bucket notifies an SNS topic that fans out to SQS without raw message delivery
- the `s3:TestEvent` S3 sends when a notification configuration is saved (nothing to load)
Anything else is a poison message: `EventParseError` with the reason; the consumer leaves it on the queue
so the redrive policy moves it to the dead-letter queue after its receive limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from c360.errors import C360Error
from c360.storage.base import ObjectEvent


class EventParseError(C360Error):
    """A queue message that is not an S3 event notification."""


@dataclass(frozen=True)
class ParsedMessage:
    kind: str  # "s3" | "test"
    events: tuple[ObjectEvent, ...]
    ignored: tuple[str, ...] = ()  # records skipped on purpose (e.g. ObjectRemoved), as "eventName key"


def s3_event_message(event: ObjectEvent, event_name: str = "ObjectCreated:Put") -> str:
    """The JSON body S3 puts on the queue for one new object (eventVersion 2.1)."""
    when = event.event_time if event.event_time.tzinfo else event.event_time.replace(tzinfo=UTC)
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "local",
                    "eventTime": when.astimezone(UTC)
                    .isoformat(timespec="milliseconds")
                    .replace("+00:00", "Z"),
                    "eventName": event_name,
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "bucket": {"name": event.bucket},
                        "object": {
                            "key": quote_plus(event.key, safe="/"),
                            "size": event.size,
                            "eTag": event.etag,
                        },
                    },
                }
            ]
        }
    )


def parse_message(body: str) -> ParsedMessage:
    """Object-created events in an S3 notification, SNS-wrapped or raw; `s3:TestEvent` gives none."""
    document = _json(body, "message body")
    if isinstance(document, dict) and document.get("Type") == "Notification" and "Message" in document:
        inner = document["Message"]
        document = _json(inner, "SNS Message") if isinstance(inner, str) else inner
    if not isinstance(document, dict):
        raise EventParseError(f"message is JSON but not an object: {_preview(body)}")
    if document.get("Event") == "s3:TestEvent":
        return ParsedMessage("test", ())
    records = document.get("Records")
    if not isinstance(records, list) or not records:
        raise EventParseError(f"message has no S3 'Records': {_preview(body)}")
    events: list[ObjectEvent] = []
    ignored: list[str] = []
    for index, record in enumerate(records):
        event, skipped = _record(record, index)
        if event is not None:
            events.append(event)
        if skipped:
            ignored.append(skipped)
    return ParsedMessage("s3", tuple(events), tuple(ignored))


def _record(record: Any, index: int) -> tuple[ObjectEvent | None, str | None]:
    if not isinstance(record, dict):
        raise EventParseError(f"record {index} is not an object")
    if record.get("eventSource") != "aws:s3":
        raise EventParseError(
            f"record {index} is not an S3 event (eventSource={record.get('eventSource')!r})"
        )
    name = str(record.get("eventName", ""))
    try:
        bucket = str(record["s3"]["bucket"]["name"])
        obj = record["s3"]["object"]
        key = unquote_plus(str(obj["key"]))
    except (KeyError, TypeError):
        raise EventParseError(f"record {index} lacks s3.bucket.name or s3.object.key") from None
    if not name.startswith("ObjectCreated:"):
        return None, f"{name} {key}"
    try:
        size = int(obj.get("size", 0))
    except (TypeError, ValueError):
        raise EventParseError(f"record {index}: object size {obj.get('size')!r} is not a number") from None
    return (
        ObjectEvent(bucket, key, size, str(obj.get("eTag", "")).strip('"'), _event_time(record, index)),
        None,
    )


def _event_time(record: dict[str, Any], index: int) -> datetime:
    raw = record.get("eventTime")
    if not isinstance(raw, str):
        raise EventParseError(f"record {index} has no eventTime")
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise EventParseError(f"record {index}: eventTime {raw!r} is not ISO 8601") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        raise EventParseError(f"{what} is not JSON: {_preview(text)}") from None


def _preview(text: object, limit: int = 120) -> str:
    value = str(text)
    return repr(value if len(value) <= limit else value[:limit] + "...")
