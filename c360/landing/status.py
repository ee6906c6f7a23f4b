"""Pipe status as DataFrames: `c360 status` sections and the app's Pipeline Health tab use the same functions,
plus the local notification queue's files (waiting, in flight, failed) for `c360 status`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from c360.engines.base import WarehouseSession
from c360.landing.events import EventParseError, parse_message
from c360.landing.queue import LocalNotificationQueue
from c360.sqlfiles import load_sql


def _hour_ago() -> datetime:
    return datetime.now() - timedelta(hours=1)


def pipe_health(session: WarehouseSession) -> pd.DataFrame:
    """Files and rows (last hour / all time), avg and p95 landing -> gold latency, failures."""
    since = _hour_ago()
    return session.query(load_sql("status/pipe_health", session.dialect), [since, since])


def quarantine_by_reason(session: WarehouseSession) -> pd.DataFrame:
    """Quarantined rows per reason code (all time and last hour) with an example reason."""
    return session.query(load_sql("status/quarantine_by_reason", session.dialect), [_hour_ago()])


def recent_loads(session: WarehouseSession) -> pd.DataFrame:
    """The ten most recent streaming files with status, counts and latencies."""
    return session.query(load_sql("status/recent_loads", session.dialect))


REDRIVE_COMMAND = "c360 ingest --redrive"


@dataclass(frozen=True)
class QueueStatus:
    """Files the local pipe has not finished with: waiting for a pipe run, in flight (a run holds them,
    or a run died holding them: they come back at the next run), and failed (dead-lettered after
    repeated failed deliveries: `c360 ingest --redrive` puts them back)."""

    files: pd.DataFrame  # state, file, receives, age_seconds, message_id
    waiting: int
    in_flight: int
    failed: int
    redrive_command: str = REDRIVE_COMMAND

    def as_dict(self) -> dict[str, object]:
        return {
            "waiting": self.waiting,
            "in_flight": self.in_flight,
            "failed": self.failed,
            "redrive_command": self.redrive_command if self.failed else None,
            "files": self.files.to_dict(orient="records"),
        }


def queue_status(queue: LocalNotificationQueue, now: float | None = None) -> QueueStatus:
    """The local notification queue per file (a message that is not an S3 event is shown as such)."""
    moment = time.time() if now is None else now
    rows = []
    for message in queue.messages():
        keys = _message_files(message.body)
        for key in keys:
            rows.append(
                {
                    "state": "failed" if message.state == "dead" else message.state,
                    "file": key,
                    "receives": message.receives,
                    "age_seconds": round(max(0.0, moment - message.sent_at), 1),
                    "message_id": message.message_id,
                }
            )
    files = pd.DataFrame(rows, columns=["state", "file", "receives", "age_seconds", "message_id"])
    counts = files["state"].value_counts() if not files.empty else pd.Series(dtype=int)
    return QueueStatus(
        files,
        int(counts.get("waiting", 0)),
        int(counts.get("in flight", 0)),
        int(counts.get("failed", 0)),
    )


def _message_files(body: str | None) -> list[str]:
    if body is None:
        return ["(unreadable message)"]
    try:
        parsed = parse_message(body)
    except EventParseError as exc:
        return [f"(not an S3 event: {str(exc)[:80]})"]
    if parsed.kind == "test":
        return ["(s3:TestEvent)"]
    return [event.key for event in parsed.events] or ["(no object-created record)"]
