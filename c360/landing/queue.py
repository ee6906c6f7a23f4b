"""The notification-queue seam: SQS in production, a durable folder queue under C360_HOME locally.

Both give SQS semantics: at-least-once delivery; a received message is invisible for its visibility
timeout and comes back if the consumer does not delete it in time (a crashed consumer re-delivers);
after `max_receives` deliveries a message moves to the dead-letter area instead. A receive returns at
most 10 messages (SQS's cap); consumers loop until a receive comes back empty.

The local queue is a folder (`C360_HOME/queue`):
    ready/<id>~<receives>.json                           visible messages, oldest id first
    inflight/<id>~<receives>~<deadline ms>~<owner>.json  received, invisible until the deadline
    dead/<id>~<receives>.json                            gave up after max_receives deliveries
Every state change is one atomic rename, so concurrent consumers never both claim a message, and a
message is written (fsync'd) before it becomes visible, so it survives a crash or a reboot.

One difference from SQS, on purpose: the in-flight name records the consumer process (pid and start
time). When that process is gone (killed, crashed), its messages are visible again at the next receive
instead of after the rest of their visibility timeout: nobody can acknowledge them any more, and a
restarted consumer should not wait for its dead predecessor's timeout. The delivery still counts
towards max_receives, so a file that kills its consumer every time ends in the dead-letter area.
A message file that cannot be read is delivered with its raw text as the body (the consumer rejects it
like any other malformed body, and the receive limit moves it to dead/), as SQS would deliver it.
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
from typing import Literal, Protocol

from c360.errors import C360Error
from c360.landing.events import s3_event_message
from c360.storage.base import ObjectEvent

log = logging.getLogger(__name__)

DEFAULT_VISIBILITY_TIMEOUT = 60.0
DEFAULT_MAX_RECEIVES = 5
MAX_BATCH = 10  # SQS ReceiveMessage returns at most 10 messages per call
STALE_TMP_SECONDS = 600.0  # a send that died before its rename: never visible, removed after this age

QueueState = Literal["waiting", "in flight", "dead"]


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


@dataclass(frozen=True)
class QueuedMessage:
    """A message as `c360 status` lists it, without receiving it."""

    state: QueueState
    message_id: str
    receives: int
    sent_at: float
    body: str | None  # None when the message file cannot be read


class NotificationQueue(Protocol):
    def send(self, body: str) -> str: ...

    def receive(
        self, max_messages: int = MAX_BATCH, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT
    ) -> list[Message]:
        """Up to max_messages (1..10) visible messages, each now invisible for visibility_timeout seconds."""
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
        try:
            for sub in ("ready", "inflight", "dead", "tmp"):
                (root / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise QueueError(f"cannot open the notification queue {root}: {exc.strerror or exc}") from None
        self._remove_stale_tmp()

    # ---- producer --------------------------------------------------------------------------------
    def send(self, body: str) -> str:
        message_id = f"{int(self.clock() * 1e6):017d}-{uuid.uuid4().hex[:12]}"
        tmp = self.root / "tmp" / f"{message_id}.json"
        payload = json.dumps({"id": message_id, "sent_at": self.clock(), "body": body})
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.root / "ready" / f"{message_id}~0.json")
            _fsync_dir(self.root / "ready")
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise QueueError(
                f"cannot write to the notification queue {self.root}: {exc.strerror or exc}"
            ) from None
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
        self, max_messages: int = MAX_BATCH, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT
    ) -> list[Message]:
        if not 1 <= max_messages <= MAX_BATCH:
            raise ValueError(f"max_messages must be between 1 and {MAX_BATCH} (as on SQS)")
        self._requeue_expired()
        received: list[Message] = []
        for path in sorted((self.root / "ready").glob("*.json")):
            if len(received) == max_messages:
                break
            message_id, receives = _parse_ready(path.name)
            if message_id is None:
                continue
            deadline_ms = int((self.clock() + max(visibility_timeout, 0.0)) * 1000)
            claimed = self.root / "inflight" / f"{message_id}~{receives + 1}~{deadline_ms}~{_owner()}.json"
            if not _move(path, claimed):
                continue  # another consumer claimed it first
            body, sent_at = _read_body(claimed, message_id)
            received.append(Message(message_id, claimed.name, body or "", receives + 1, sent_at))
        return received

    def delete(self, message: Message) -> bool:
        try:
            (self.root / "inflight" / message.receipt).unlink()
        except FileNotFoundError:
            log.warning("queue message %s: receipt expired before delete", message.message_id)
            return False
        return True

    def change_visibility(self, message: Message, seconds: float) -> None:
        message_id, receives, _, _ = _parse_inflight(message.receipt)
        if message_id is None:
            raise QueueError(f"not a receipt of this queue: {message.receipt!r}")
        deadline_ms = int((self.clock() + max(seconds, 0.0)) * 1000)
        target = self.root / "inflight" / f"{message_id}~{receives}~{deadline_ms}~{_owner()}.json"
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

    def messages(self) -> list[QueuedMessage]:
        """Every message not yet acknowledged or dead-lettered, and the dead letters, oldest first, without
        receiving them (for `c360 status` and the pipe's search for objects whose event was lost). A
        received message nobody holds any more (visibility ended, or its consumer is gone) is waiting."""
        out: list[QueuedMessage] = []
        now_ms = int(self.clock() * 1000)
        folders: tuple[tuple[str, QueueState], ...] = (
            ("ready", "waiting"),
            ("inflight", "in flight"),
            ("dead", "dead"),
        )
        for folder, state in folders:
            for path in (self.root / folder).glob("*.json"):
                if folder == "inflight":
                    message_id, receives, deadline_ms, owner = _parse_inflight(path.name)
                    # handed back, timed out or held by a process that is gone: the next receive gets it
                    held = deadline_ms > now_ms and _owner_alive(owner)
                    state = "in flight" if held else "waiting"
                else:
                    message_id, receives = _parse_ready(path.name)
                if message_id is None:
                    continue
                body, sent_at = _read_body(path, message_id, quiet=True)
                out.append(QueuedMessage(state, message_id, receives, sent_at, body))
        return sorted(out, key=lambda m: m.message_id)

    def dead_letters(self) -> list[Message]:
        """Messages that exhausted their deliveries (for the runbook: inspect, then `redrive`)."""
        out = []
        for path in sorted((self.root / "dead").glob("*.json")):
            message_id, receives = _parse_ready(path.name)
            body, sent_at = _read_body(path, message_id or path.stem, quiet=True)
            out.append(Message(message_id or path.stem, path.name, body or "", receives, sent_at))
        return out

    def redrive(self) -> int:
        """Move every dead letter back to ready with a fresh receive count; returns how many. Messages a
        dead consumer held for their last allowed delivery are dead letters first (the next receive would
        dead-letter them), so the redrive covers them too."""
        self._requeue_expired()
        moved = 0
        for path in sorted((self.root / "dead").glob("*.json")):
            message_id, _ = _parse_ready(path.name)
            if message_id and _move(path, self.root / "ready" / f"{message_id}~0.json"):
                moved += 1
        return moved

    def _requeue_expired(self) -> None:
        now_ms = int(self.clock() * 1000)
        for path in (self.root / "inflight").glob("*.json"):
            message_id, receives, deadline_ms, owner = _parse_inflight(path.name)
            if message_id is None or (deadline_ms > now_ms and _owner_alive(owner)):
                continue
            if receives >= self.max_receives:
                log.error("queue message %s failed %d deliveries: moved to dead/", message_id, receives)
                _move(path, self.root / "dead" / f"{message_id}~{receives}.json")
            else:
                _move(path, self.root / "ready" / f"{message_id}~{receives}.json")

    def _remove_stale_tmp(self) -> None:
        cutoff = time.time() - STALE_TMP_SECONDS
        for path in (self.root / "tmp").glob("*.json"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()


def _parse_ready(name: str) -> tuple[str | None, int]:
    stem = name.removesuffix(".json")
    parts = stem.split("~")
    if len(parts) != 2 or not parts[1].isdigit():
        return None, 0
    return parts[0], int(parts[1])


def _parse_inflight(name: str) -> tuple[str | None, int, int, str | None]:
    """(id, receives, deadline ms, owner); the owner is None in names written before it was recorded."""
    parts = name.removesuffix(".json").split("~")
    if len(parts) not in (3, 4) or not parts[1].isdigit() or not parts[2].isdigit():
        return None, 0, 0, None
    return parts[0], int(parts[1]), int(parts[2]), parts[3] if len(parts) == 4 else None


def _read_body(path: Path, message_id: str, *, quiet: bool = False) -> tuple[str | None, float]:
    """(body, sent_at) of a message file. A file that is not a queue record yields its raw text as the
    body; one that cannot be read at all yields None."""
    head = message_id.split("-", 1)[0]
    sent_at = int(head) / 1e6 if head.isdigit() else 0.0
    try:
        raw = path.read_bytes()
    except OSError as exc:
        if not quiet:
            log.error("queue message %s cannot be read (%s)", message_id, exc)
        return None, sent_at
    try:
        document = json.loads(raw)
        return str(document["body"]), float(document.get("sent_at", sent_at))
    except (ValueError, KeyError, TypeError) as exc:
        if not quiet:
            log.error("queue message %s is not a queue record (%s): delivered as raw text", message_id, exc)
        return raw.decode("utf-8", errors="replace"), sent_at


def _process_start(pid: int) -> str | None:
    """When a process started, in clock ticks since boot (Linux /proc); None where that is unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


_OWNER_CACHE: dict[int, str] = {}


def _owner() -> str:
    """This consumer process as `<pid>.<start ticks>` (the start time tells a reused pid apart)."""
    pid = os.getpid()
    if pid not in _OWNER_CACHE:  # keyed by pid: a forked child computes its own
        _OWNER_CACHE[pid] = f"{pid}.{_process_start(pid) or 0}"
    return _OWNER_CACHE[pid]


def _owner_alive(owner: str | None) -> bool:
    """False only when the consumer holding a message is known to be gone."""
    if not owner:
        return True
    pid_text, _, start = owner.partition(".")
    if not pid_text.isdigit():
        return True
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # a live process of another user
    current = _process_start(pid)
    if current is None or start == "0":
        return True  # no /proc: the pid exists, assume it is the same process
    if current != start:
        return False  # the pid was reused by another process
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A killed child not yet reaped by its parent still has a pid; it holds nothing any more."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    fields = stat.rsplit(")", 1)[-1].split()
    return bool(fields) and fields[0] in ("Z", "X")


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
