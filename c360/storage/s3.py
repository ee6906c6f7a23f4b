"""S3 landing bucket (boto3). Clients are created lazily per store, never at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from c360.errors import ObjectStoreError
from c360.storage.base import StoredObject, validate_key

if TYPE_CHECKING:  # stub packages (dev dependencies): botocore-stubs, types-boto3-s3
    from botocore.config import Config
    from types_boto3_s3 import S3Client

log = logging.getLogger(__name__)

T = TypeVar("T")


def retry_config(attempts: int) -> Config:
    """botocore's standard retry mode: transient errors (throttling such as SlowDown, 5xx, RequestTimeout,
    dropped connections) are retried with exponential backoff and jitter, up to `attempts` calls in all."""
    from botocore.config import Config

    return Config(retries={"mode": "standard", "total_max_attempts": attempts})


def aws_failure(what: str, exc: Exception) -> str:
    """An AWS failure (after botocore's retries) in words, saying how often it tried."""
    metadata = getattr(exc, "response", {}).get("ResponseMetadata", {})
    tries = f" after {int(metadata['RetryAttempts']) + 1} attempt(s)" if "RetryAttempts" in metadata else ""
    return f"{what} failed{tries}: {exc}"


def store_error(what: str, exc: Exception) -> ObjectStoreError:
    """An AWS failure (after botocore's retries) as the store's domain error."""
    return ObjectStoreError(aws_failure(what, exc))


class S3ObjectStore:
    def __init__(self, bucket: str, *, region: str = "us-east-1", attempts: int = 4) -> None:
        self.bucket = bucket
        self.region = region
        self.attempts = attempts
        self._client: S3Client | None = None

    @property
    def client(self) -> S3Client:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3", region_name=self.region, config=retry_config(self.attempts))
        return self._client

    def _call(self, action: Callable[[], T], what: str) -> T:
        """Run one AWS call (botocore retries it); an AWS failure becomes an ObjectStoreError."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return action()
        except (BotoCoreError, ClientError) as exc:
            raise store_error(what, exc) from exc

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        validate_key(key)
        self._call(
            lambda: self.client.put_object(
                Bucket=self.bucket, Key=key, Body=data, ServerSideEncryption="AES256"
            ),
            f"upload s3://{self.bucket}/{key}",
        )
        head = self._call(lambda: self.client.head_object(Bucket=self.bucket, Key=key), f"head {key}")
        return StoredObject(key, int(head["ContentLength"]), head["ETag"].strip('"'), head["LastModified"])

    def get_bytes(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        def fetch() -> bytes:
            try:
                return self.client.get_object(Bucket=self.bucket, Key=validate_key(key))["Body"].read()
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                    raise ObjectStoreError(f"object s3://{self.bucket}/{key} does not exist") from None
                raise

        return self._call(fetch, f"download s3://{self.bucket}/{key}")

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        def head() -> bool:
            try:
                self.client.head_object(Bucket=self.bucket, Key=validate_key(key))
                return True
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                    return False
                raise

        return self._call(head, f"head s3://{self.bucket}/{key}")

    def list(self, prefix: str = "") -> list[StoredObject]:
        def page_all() -> list[StoredObject]:
            found = []
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    found.append(
                        StoredObject(
                            item["Key"], int(item["Size"]), item["ETag"].strip('"'), item["LastModified"]
                        )
                    )
            return found

        return self._call(page_all, f"list s3://{self.bucket}/{prefix}")

    def delete(self, key: str) -> None:
        self._call(
            lambda: self.client.delete_object(Bucket=self.bucket, Key=validate_key(key)),
            f"delete s3://{self.bucket}/{key}",
        )
