"""A folder under C360_HOME with the same key layout as the S3 landing bucket."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from c360.errors import ObjectStoreError
from c360.storage.base import EventListener, ObjectEvent, StoredObject, md5_hex, validate_key


class LocalObjectStore:
    def __init__(self, root: Path, listeners: list[EventListener] | None = None) -> None:
        self.root = root
        self.bucket = str(root)
        self.listeners = list(listeners or [])
        root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        target = self.path(key)
        tmp = target.with_name(f".{target.name}.part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, target)  # atomic: readers never see a half-written object
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ObjectStoreError(f"cannot store {key!r} in {self.root}: {exc.strerror or exc}") from None
        obj = self._stat(key, target, data)
        event = ObjectEvent(self.bucket, key, obj.size, obj.etag, obj.last_modified)
        for listener in self.listeners:
            listener(event)
        return obj

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectStoreError(f"object {key!r} does not exist in {self.root}") from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def list(self, prefix: str = "") -> list[StoredObject]:
        found = []
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                found.append(self._stat(key, path, None))
        return found

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    @staticmethod
    def _stat(key: str, path: Path, data: bytes | None) -> StoredObject:
        st = path.stat()
        etag = md5_hex(data if data is not None else path.read_bytes())
        return StoredObject(key, st.st_size, etag, datetime.fromtimestamp(st.st_mtime, tz=UTC))
