"""Every assistant request, logged: question, SQL, verified flag, latency, outcome.

Readers cannot write to the warehouse (the local reader is a read-only DuckDB snapshot; MARKETING_MANAGER
has no write grant on Snowflake), so a request is appended as one JSON line to
`$C360_HOME/logs/assistant_requests.jsonl` (one `write` on an O_APPEND file, safe across processes), and the
next writer run loads new lines into OBSERVABILITY.ASSISTANT_REQUESTS (`load_request_log`, called by the
`semantic_model` step of `c360 up`). On Snowflake, Cortex Analyst additionally keeps its own request log
(SNOWFLAKE.LOCAL.CORTEX_ANALYST_REQUESTS / the CORTEX_ANALYST_REQUESTS_V view).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import pandas as pd

from c360.config import Settings
from c360.engines.base import WarehouseSession
from c360.sqlfiles import load_sql

log = logging.getLogger(__name__)

LOG_FILE: Final = "assistant_requests.jsonl"
TABLE: Final = "OBSERVABILITY.ASSISTANT_REQUESTS"
MAX_TEXT: Final = 8000


@dataclass(frozen=True)
class RequestRecord:
    request_id: str
    asked_at: str  # ISO timestamp
    role: str
    backend: str
    question: str
    history_turns: int
    status: str  # answered | refused | blocked | error
    refusal_kind: str | None
    reason: str | None
    sql_text: str | None
    verified_query: str | None
    is_verified: bool
    row_count: int | None
    latency_ms: float


def log_path(settings: Settings) -> Path:
    return settings.logs_dir / LOG_FILE


def append_request(settings: Settings, record: RequestRecord) -> None:
    """Append one JSON line; never raises (a failed log write must not fail the answer), but says so."""
    path = log_path(settings)
    line = json.dumps(asdict(record), ensure_ascii=False, default=str) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            size = os.fstat(fd).st_size
            # a crash mid-write leaves a line without its newline: start on a fresh line, never glue onto it
            torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
            os.write(fd, (("\n" if torn else "") + line).encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        log.warning("assistant request %s not logged to %s: %s", record.request_id, path, exc)


def read_requests(settings: Settings) -> list[RequestRecord]:
    """Every well-formed line of the log (a torn last line from a crash is skipped, with a warning)."""
    path = log_path(settings)
    if not path.exists():
        return []
    records: list[RequestRecord] = []
    fields = set(RequestRecord.__dataclass_fields__)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            records.append(RequestRecord(**{k: raw.get(k) for k in fields}))
        except (json.JSONDecodeError, TypeError) as exc:
            log.warning("skipping malformed assistant log line %d in %s: %s", number, path, exc)
    return records


def load_request_log(session: WarehouseSession, settings: Settings) -> int:
    """Insert log lines not yet in OBSERVABILITY.ASSISTANT_REQUESTS; returns how many were added."""
    session.run_script(load_sql("ddl/assistant", session.dialect))
    records = read_requests(settings)
    if not records:
        return 0
    known = set(session.query(load_sql("semantic/request_ids", session.dialect))["request_id"].astype(str))
    new = [r for r in records if r.request_id not in known]
    new = list({r.request_id: r for r in new}.values())
    if not new:
        return 0
    now = datetime.now().replace(microsecond=0)
    frame = pd.DataFrame(
        [
            {
                **asdict(r),
                "asked_at": pd.Timestamp(r.asked_at).to_pydatetime(),
                "question": r.question[:MAX_TEXT],
                "sql_text": (r.sql_text or "")[:MAX_TEXT] or None,
                "loaded_at": now,
            }
            for r in new
        ]
    )
    with session.transaction():
        session.insert_frame(TABLE, frame)
    return len(new)
