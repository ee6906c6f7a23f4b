from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from c360.errors import ObjectStoreError
from c360.storage.base import ObjectEvent
from c360.storage.local import LocalObjectStore
from c360.storage.s3 import S3ObjectStore

BUCKET = "c360-test-landing"


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def s3(aws_credentials: None) -> Iterator[None]:
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        yield


def test_local_store_uses_the_s3_key_layout_and_emits_events(tmp_path: Path) -> None:
    events: list[ObjectEvent] = []
    store = LocalObjectStore(tmp_path / "lake", listeners=[events.append])
    key = "transactions/streaming/2026/10/15/09/transactions_20261015T090000.csv"
    obj = store.put_bytes(key, b"a,b\n1,2\n")
    assert (tmp_path / "lake" / key).read_bytes() == b"a,b\n1,2\n"
    assert obj.size == 8 and events[0].key == key and events[0].etag == obj.etag
    assert [o.key for o in store.list("transactions/")] == [key]
    assert store.exists(key) and store.get_bytes(key).startswith(b"a,b")
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(ObjectStoreError, match="does not exist"):
        store.get_bytes(key)
    with pytest.raises(ValueError, match="invalid object key"):
        store.put_bytes("../escape.csv", b"x")


def test_s3_upload_list_get_delete(s3: None) -> None:
    store = S3ObjectStore(BUCKET)
    store.put_bytes("customers/customers.csv", b"customer_id\nCUST00000001\n")
    store.put_bytes("transactions/historical/part-0.csv", b"x")
    assert [o.key for o in store.list("customers/")] == ["customers/customers.csv"]
    assert store.get_bytes("customers/customers.csv").endswith(b"CUST00000001\n")
    head = boto3.client("s3").head_object(Bucket=BUCKET, Key="customers/customers.csv")
    assert head["ServerSideEncryption"] == "AES256"
    assert store.exists("customers/customers.csv") and not store.exists("customers/missing.csv")
    store.delete("customers/customers.csv")
    with pytest.raises(ObjectStoreError, match="does not exist"):
        store.get_bytes("customers/customers.csv")


def failing(store: S3ObjectStore, operation: str, status: int, code: str, times: int) -> list[int]:
    """Make the first `times` HTTP calls of `operation` answer `status`/`code` before moto sees them;
    returns the numbers of the calls that failed (botocore's retry handler is what calls again)."""
    from botocore.awsrequest import AWSResponse

    failed: list[int] = []
    body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()

    class Raw:
        def stream(self, **_: object) -> Iterator[bytes]:
            yield body

    def answer(**_: object) -> AWSResponse | None:
        if len(failed) >= times:
            return None
        failed.append(len(failed) + 1)
        return AWSResponse("https://s3.amazonaws.com", status, {}, Raw())

    store.client.meta.events.register_first(f"before-send.s3.{operation}", answer)
    return failed


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's backoff waits, recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", waited.append)
    return waited


def test_s3_retries_transient_errors_with_botocores_standard_mode(s3: None, sleeps: list[float]) -> None:
    store = S3ObjectStore(BUCKET)
    assert store.client.meta.config.retries == {"mode": "standard", "total_max_attempts": 4}
    failed = failing(store, "PutObject", 503, "SlowDown", times=2)
    store.put_bytes("customers/customers.csv", b"ok")
    assert failed == [1, 2] and len(sleeps) == 2  # two backoffs, then the third call lands
    assert store.get_bytes("customers/customers.csv") == b"ok"


def test_s3_gives_up_after_attempts_and_never_retries_permanent_errors(s3: None, sleeps: list[float]) -> None:
    store = S3ObjectStore(BUCKET, attempts=3)
    failing(store, "PutObject", 503, "ServiceUnavailable", times=10)
    with pytest.raises(ObjectStoreError, match="failed after 3 attempt"):
        store.put_bytes("customers/customers.csv", b"x")
    assert len(sleeps) == 2
    missing_bucket = S3ObjectStore("no-such-bucket")
    before = len(sleeps)
    with pytest.raises(ObjectStoreError, match=r"failed after 1 attempt.*NoSuchBucket"):
        missing_bucket.put_bytes("customers/customers.csv", b"x")
    assert len(sleeps) == before
