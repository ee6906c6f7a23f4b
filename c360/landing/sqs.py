"""The SQS implementation of the notification queue (boto3; the client is created lazily, never at import)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from c360.landing.queue import DEFAULT_VISIBILITY_TIMEOUT, Message, QueueDepth, QueueError
from c360.storage.s3 import aws_failure, retry_config

log = logging.getLogger(__name__)

MAX_VISIBILITY_SECONDS = 43_200  # SQS limit: 12 hours


class SqsNotificationQueue:
    def __init__(
        self,
        queue_url: str,
        *,
        region: str = "us-east-1",
        wait_seconds: int = 1,
        client: Any = None,
        attempts: int = 4,
    ) -> None:
        if not 0 <= wait_seconds <= 20:
            raise ValueError("wait_seconds (long polling) must be between 0 and 20")
        self.queue_url = queue_url
        self.region = region
        self.wait_seconds = wait_seconds
        self._client = client
        self.attempts = attempts

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sqs", region_name=self.region, config=retry_config(self.attempts))
        return self._client

    def _call(self, action: Callable[[], Any], what: str) -> Any:
        """Run one SQS call (botocore retries transient errors); an AWS failure becomes a QueueError."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return action()
        except (BotoCoreError, ClientError) as exc:
            raise QueueError(aws_failure(f"{what} {self.queue_url}", exc)) from exc

    def send(self, body: str) -> str:
        response = self._call(
            lambda: self.client.send_message(QueueUrl=self.queue_url, MessageBody=body), "send to"
        )
        return str(response["MessageId"])

    def receive(
        self, max_messages: int = 10, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT
    ) -> list[Message]:
        if not 1 <= max_messages <= 10:
            raise ValueError("max_messages must be between 1 and 10")
        response = self._call(
            lambda: self.client.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=max_messages,
                VisibilityTimeout=_seconds(visibility_timeout),
                WaitTimeSeconds=self.wait_seconds,
                MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
            ),
            "receive from",
        )
        out = []
        for item in response.get("Messages", []):
            attributes = item.get("Attributes", {})
            out.append(
                Message(
                    message_id=item["MessageId"],
                    receipt=item["ReceiptHandle"],
                    body=item["Body"],
                    receive_count=int(attributes.get("ApproximateReceiveCount", 1)),
                    sent_at=int(attributes.get("SentTimestamp", 0)) / 1000,
                )
            )
        return out

    def delete(self, message: Message) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message.receipt)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"ReceiptHandleIsInvalid", "InvalidParameterValue"}:
                log.warning("SQS message %s: receipt no longer valid (%s)", message.message_id, code)
                return False
            raise QueueError(f"delete from {self.queue_url} failed: {exc}") from exc
        return True

    def change_visibility(self, message: Message, seconds: float) -> None:
        self._call(
            lambda: self.client.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=message.receipt, VisibilityTimeout=_seconds(seconds)
            ),
            "change visibility on",
        )

    def depth(self) -> QueueDepth:
        response = self._call(
            lambda: self.client.get_queue_attributes(
                QueueUrl=self.queue_url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            ),
            "inspect",
        )
        attributes = response.get("Attributes", {})
        return QueueDepth(
            visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
            in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            dead=0,  # the dead-letter queue is a separate queue (its own depth)
            oldest_age_seconds=None,
        )


def _seconds(value: float) -> int:
    return max(0, min(MAX_VISIBILITY_SECONDS, math.ceil(value)))
