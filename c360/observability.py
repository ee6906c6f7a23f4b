"""Writes to the OBSERVABILITY schema: run metadata, record counts, load history, step fingerprints."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from time import perf_counter

from c360.engines.base import WarehouseSession


def new_run_id(kind: str) -> str:
    return f"{kind}-{datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


@dataclass
class RunRecord:
    run_id: str
    run_type: str
    started_at: datetime
    rows_affected: int = 0
    models_run: int | None = None
    models_failed: int | None = None
    details: dict[str, object] = field(default_factory=dict)


def start_run(session: WarehouseSession, run_type: str, run_id: str | None = None) -> RunRecord:
    record = RunRecord(run_id or new_run_id(run_type), run_type, now())
    session.execute(
        "insert into OBSERVABILITY.PIPELINE_RUN_METADATA (run_id, run_type, started_at, status) "
        "values (?, ?, ?, 'STARTED')",
        [record.run_id, run_type, record.started_at],
    )
    return record


def finish_run(session: WarehouseSession, record: RunRecord, error: str | None = None) -> None:
    finished = now()
    session.execute(
        "update OBSERVABILITY.PIPELINE_RUN_METADATA set finished_at = ?, status = ?, duration_seconds = ?, "
        "models_run = ?, models_failed = ?, rows_affected = ?, error_message = ?, details = ? where run_id = ?",
        [
            finished,
            "FAILED" if error else "SUCCESS",
            (finished - record.started_at).total_seconds(),
            record.models_run,
            record.models_failed,
            record.rows_affected,
            error[:4000] if error else None,
            json.dumps(record.details, default=str),
            record.run_id,
        ],
    )


@contextmanager
def tracked_run(session: WarehouseSession, run_type: str, run_id: str | None = None) -> Iterator[RunRecord]:
    """One PIPELINE_RUN_METADATA row: STARTED now, SUCCESS or FAILED (with the reason) at the end."""
    record = start_run(session, run_type, run_id)
    began = perf_counter()
    try:
        yield record
    except BaseException as exc:
        record.details.setdefault("elapsed_seconds", round(perf_counter() - began, 3))
        finish_run(session, record, error=f"{type(exc).__name__}: {exc}")
        raise
    record.details.setdefault("elapsed_seconds", round(perf_counter() - began, 3))
    finish_run(session, record)


def record_counts(session: WarehouseSession, run_id: str, layer: str, counts: Mapping[str, int]) -> None:
    at = now()
    for table, count in counts.items():
        session.execute(
            "insert into OBSERVABILITY.LAYER_RECORD_COUNTS (run_id, counted_at, layer, table_name, record_count) "
            "values (?, ?, ?, ?, ?)",
            [run_id, at, layer, table, int(count)],
        )


@dataclass(frozen=True)
class LoadRecord:
    load_id: str
    run_id: str
    file_name: str
    file_checksum: str
    table_name: str
    status: str  # LOADED | PARTIALLY_LOADED | LOAD_FAILED | SKIPPED_DUPLICATE
    rows_in_file: int
    rows_loaded: int
    rows_quarantined: int
    first_error: str | None = None
    landed_at: datetime | None = None


def record_load(session: WarehouseSession, load: LoadRecord) -> None:
    session.execute(
        "insert into OBSERVABILITY.LOAD_HISTORY (load_id, run_id, file_name, file_checksum, table_name, status, "
        "rows_in_file, rows_loaded, rows_quarantined, first_error, landed_at, loaded_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load.load_id,
            load.run_id,
            load.file_name,
            load.file_checksum,
            load.table_name,
            load.status,
            load.rows_in_file,
            load.rows_loaded,
            load.rows_quarantined,
            load.first_error,
            load.landed_at,
            now(),
        ],
    )


def step_fingerprint(session: WarehouseSession, step: str) -> str | None:
    value = session.scalar(
        "select fingerprint from OBSERVABILITY.STEP_STATE where step = ? order by completed_at desc limit 1",
        [step],
    )
    return None if value is None else str(value)


def save_step_fingerprint(
    session: WarehouseSession, step: str, fingerprint: str, details: Mapping[str, object]
) -> None:
    session.execute("delete from OBSERVABILITY.STEP_STATE where step = ?", [step])
    session.execute(
        "insert into OBSERVABILITY.STEP_STATE (step, fingerprint, completed_at, details) values (?, ?, ?, ?)",
        [step, fingerprint, now(), json.dumps(dict(details), default=str)],
    )


def forget_step(session: WarehouseSession, step: str) -> None:
    """Drop a step's completion record, so its next run does the work in full (Pulumi delete)."""
    session.execute("delete from OBSERVABILITY.STEP_STATE where step = ?", [step])
