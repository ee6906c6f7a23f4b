"""The notification-queue seam: SQS in production, a durable folder queue under C360_HOME locally.

Both give SQS semantics: at-least-once delivery; a received message is invisible for its visibility
timeout and comes back if the consumer does not delete it in time (a crashed consumer re-delivers);
after `max_receives` deliveries a message moves to the dead-letter area instead.

The local queue is a folder (`C360_HOME/queue`):
    ready/<id>~<receives>.json                   visible messages, oldest id first
    inflight/<id>~<receives>~<deadline ms>.json  received, invisible until the deadline
    dead/<id>~<receives>.json                    gave up after max_receives deliveries
Every state change is one atomic rename, so concurrent consumers never both claim a message, and a
message is written (fsync'd) before it becomes visible, so it survives a crash or a reboot.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from c360.errors import C360Error
from c360.landing.events import s3_event_message
from c360.storage.base import ObjectEvent

log = logging.getLogger(__name__)

DEFAULT_VISIBILITY_TIMEOUT = 60.0
DEFAULT_MAX_RECEIVES = 5


class QueueError(C360Error):
    """The notification queue is unavailable or a receipt is no longer valid."""


@dataclass(frozen=True)
class Message:
    message_id: str
    receipt: str  # the handle delete / change_visibility need (SQS receipt handle or in-flight file name)
    body: str
    receive_count: int
    sent_at: float  # epoch seconds


@dataclass(frozen=True)
class QueueDepth:
    visible: int
    in_flight: int
    dead: int
    oldest_age_seconds: float | None  # of the oldest visible or in-flight message


class NotificationQueue(Protocol):
    def send(self, body: str) -> str: ...

    def receive(
        self, max_messages: int = 10, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT
    ) -> list[Message]:
        """Up to max_messages visible messages, each now invisible for visibility_timeout seconds."""
        ...

    def delete(self, message: Message) -> bool:
        """Acknowledge; False when the receipt expired (the message may be delivered again)."""
        ...

    def change_visibility(self, message: Message, seconds: float) -> None:
        """Extend or end (0) the invisibility of a received message."""
        ...

    def depth(self) -> QueueDepth: ...


class LocalNotificationQueue:
    """A durable folder queue with SQS semantics (module docstring). `clock` returns epoch seconds."""

    def __init__(
        self,
        root: Path,
        *,
        max_receives: int = DEFAULT_MAX_RECEIVES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_receives < 1:
            raise ValueError("max_receives must be at least 1")
        self.root = root
        self.max_receives = max_receives
        self.clock = clock
        for sub in ("ready", "inflight", "dead", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    # ---- producer --------------------------------------------------------------------------------
    def send(self, body: str) -> str:
        message_id = f"{int(self.clock() * 1e6):017d}-{uuid.uuid4().hex[:12]}"
        tmp = self.root / "tmp" / f"{message_id}.json"
        payload = json.dumps({"id": message_id, "sent_at": self.clock(), "body": body})
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / "ready" / f"{message_id}~0.json")
        _fsync_dir(self.root / "ready")
        return message_id

    def listener(self, prefix: str) -> Callable[[ObjectEvent], None]:
        """An object-store listener that enqueues an S3-format event for every new object under prefix."""

        def notify(event: ObjectEvent) -> None:
            name = event.key.rsplit("/", 1)[-1]
            if event.key.startswith(prefix) and not name.startswith("."):
                self.send(s3_event_message(event))

        return notify

    # ---- consumer --------------------------------------------------------------------------------
    def receive(
        self, max_messages: int = 10, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT
    ) -> list[Message]:
        if not 1 <= max_messages <= 10:
            raise ValueError("max_messages must be between 1 and 10 (as on SQS)")
        self._requeue_expired()
        received: list[Message] = []
        for path in sorted((self.root / "ready").glob("*.json")):
            if len(received) == max_messages:
                break
            message_id, receives = _parse_ready(path.name)
            if message_id is None:
                continue
            deadline_ms = int((self.clock() + max(visibility_timeout, 0.0)) * 1000)
            claimed = self.root / "inflight" / f"{message_id}~{receives + 1}~{deadline_ms}.json"
            if not _move(path, claimed):
                continue  # another consumer claimed it first
            try:
                document = json.loads(claimed.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                log.error("queue message %s is unreadable (%s): moved to dead/", message_id, exc)
                _move(claimed, self.root / "dead" / f"{message_id}~{receives + 1}.json")
                continue
            received.append(
                Message(
                    message_id, claimed.name, str(document["body"]), receives + 1, float(document["sent_at"])
                )
            )
        return received

    def delete(self, message: Message) -> bool:
        try:
            (self.root / "inflight" / message.receipt).unlink()
        except FileNotFoundError:
            log.warning("queue message %s: receipt expired before delete", message.message_id)
            return False
        return True

    def change_visibility(self, message: Message, seconds: float) -> None:
        message_id, receives, _ = _parse_inflight(message.receipt)
        if message_id is None:
            raise QueueError(f"not a receipt of this queue: {message.receipt!r}")
        deadline_ms = int((self.clock() + max(seconds, 0.0)) * 1000)
        target = self.root / "inflight" / f"{message_id}~{receives}~{deadline_ms}.json"
        try:
            os.replace(self.root / "inflight" / message.receipt, target)
        except FileNotFoundError:
            raise QueueError(f"queue message {message.message_id}: receipt expired") from None

    def depth(self) -> QueueDepth:
        ready = list((self.root / "ready").glob("*.json"))
        inflight = list((self.root / "inflight").glob("*.json"))
        dead = list((self.root / "dead").glob("*.json"))
        ids = [p.name.split("~", 1)[0] for p in ready + inflight]
        oldest = None
        if ids:
            first_us = min(int(i.split("-", 1)[0]) for i in ids)
            oldest = max(0.0, self.clock() - first_us / 1e6)
        return QueueDepth(len(ready), len(inflight), len(dead), oldest)

    def dead_letters(self) -> list[Message]:
        """Messages that exhausted their deliveries (for the runbook: inspect, then `redrive`)."""
        out = []
        for path in sorted((self.root / "dead").glob("*.json")):
            message_id, receives = _parse_ready(path.name)
            with contextlib.suppress(OSError, json.JSONDecodeError, KeyError):
                document = json.loads(path.read_text(encoding="utf-8"))
                out.append(
                    Message(
                        message_id or path.stem, path.name, document["body"], receives, document["sent_at"]
                    )
                )
        return out

    def redrive(self) -> int:
        """Move every dead letter back to ready with a fresh receive count; returns how many."""
        moved = 0
        for path in sorted((self.root / "dead").glob("*.json")):
            message_id, _ = _parse_ready(path.name)
            if message_id and _move(path, self.root / "ready" / f"{message_id}~0.json"):
                moved += 1
        return moved

    def _requeue_expired(self) -> None:
        now_ms = int(self.clock() * 1000)
        for path in (self.root / "inflight").glob("*.json"):
            message_id, receives, deadline_ms = _parse_inflight(path.name)
            if message_id is None or deadline_ms > now_ms:
                continue
            if receives >= self.max_receives:
                log.error("queue message %s failed %d deliveries: moved to dead/", message_id, receives)
                _move(path, self.root / "dead" / f"{message_id}~{receives}.json")
            else:
                _move(path, self.root / "ready" / f"{message_id}~{receives}.json")


def _parse_ready(name: str) -> tuple[str | None, int]:
    stem = name.removesuffix(".json")
    parts = stem.split("~")
    if len(parts) != 2 or not parts[1].isdigit():
        return None, 0
    return parts[0], int(parts[1])


def _parse_inflight(name: str) -> tuple[str | None, int, int]:
    parts = name.removesuffix(".json").split("~")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None, 0, 0
    return parts[0], int(parts[1]), int(parts[2])


def _move(source: Path, target: Path) -> bool:
    """Atomic rename; False when another consumer moved the file first."""
    try:
        os.replace(source, target)
    except FileNotFoundError:
        return False
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
