"""The object-store seam."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    etag: str
    last_modified: datetime


@dataclass(frozen=True)
class ObjectEvent:
    """What S3 puts in an `ObjectCreated:*` notification, reduced to what the pipe needs."""

    bucket: str
    key: str
    size: int
    etag: str
    event_time: datetime


EventListener = Callable[[ObjectEvent], None]


class ObjectStore(Protocol):
    bucket: str

    def put_bytes(self, key: str, data: bytes) -> StoredObject: ...

    def get_bytes(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> list[StoredObject]: ...

    def delete(self, key: str) -> None: ...


def md5_hex(data: bytes) -> str:
    """S3's ETag for a single-part upload."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def validate_key(key: str) -> str:
    if not key or key.startswith("/") or ".." in key.split("/") or "\\" in key:
        raise ValueError(f"invalid object key {key!r}: keys are relative, '/'-separated, without '..'")
    return key
