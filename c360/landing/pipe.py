"""The local pipe: Snowpipe's contract for BRONZE_TRANSACTIONS on the embedded warehouse.

For every object-created event on the notification queue:
- the file is read from the object store; a file that disappeared since its event is recorded as
  FILE_MISSING (nothing to retry) and its message acknowledged;
- load metadata is checked like Snowpipe's: a file with the same name and the same content checksum that
  was loaded before is skipped (SKIPPED_DUPLICATE), so re-delivered events never load twice;
- COPY with ON_ERROR = CONTINUE: rows that pass the structural checks (c360/landing/csvfile.py) and the
  value checks (sql/pipe/check_transactions.sql) go to BRONZE.BRONZE_TRANSACTIONS with the file name and
  row number; every other row goes to OBSERVABILITY.QUARANTINE with its raw line and a precise reason;
- bronze rows, quarantine rows and the LOAD_HISTORY row (with the checksum) are written in ONE
  transaction: a crash mid-file leaves nothing behind and the re-delivered event loads the file once;
- the queue message is deleted only after that transaction commits (at-least-once delivery + idempotent
  load = exactly-once effect). A message whose load failed stays on the queue and comes back after its
  visibility timeout; a message that is not an S3 event is left for the dead-letter area.

Per file: rows_loaded + rows_quarantined = rows_in_file (checked before commit).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from time import perf_counter

import pandas as pd

from c360 import names
from c360.engines.base import WarehouseSession
from c360.engines.duckdb import DuckDBSession
from c360.errors import C360Error, LoadError, ObjectStoreError
from c360.landing.csvfile import ParsedFile, Rejection, parse_transactions_file
from c360.landing.events import EventParseError, parse_message, s3_event_message
from c360.landing.queue import DEFAULT_VISIBILITY_TIMEOUT, Message, NotificationQueue
from c360.landing.stage_metadata import recorded_source_file
from c360.observability import tracked_run
from c360.reference import CATEGORIES
from c360.sqlfiles import load_sql
from c360.storage.base import ObjectEvent, ObjectStore
from c360.values import as_int

log = logging.getLogger(__name__)

TABLE = f"{names.BRONZE}.{names.BRONZE_TRANSACTIONS}"
QUARANTINE_TABLE = f"{names.OBSERVABILITY}.{names.QUARANTINE}"
LOADED, PARTIAL, FAILED, NO_DATA = "LOADED", "PARTIALLY_LOADED", "LOAD_FAILED", "NO_DATA"
SKIPPED, MISSING = "SKIPPED_DUPLICATE", "FILE_MISSING"
FILE_STATUSES = (LOADED, PARTIAL, FAILED, NO_DATA, SKIPPED, MISSING)


def precise_now() -> datetime:
    """Wall clock, naive local time like every other timestamp in the warehouse, to the microsecond."""
    return datetime.now()


def no_fault(point: str) -> None:
    return None


@dataclass(frozen=True)
class PipeOptions:
    future_tolerance: timedelta = timedelta(minutes=15)
    earliest_timestamp: datetime = datetime(2000, 1, 1)
    max_amount: Decimal = Decimal("100000.00")
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT
    max_messages: int | None = None  # per run; None = until the queue is empty
    prefix: str = names.STREAMING_PREFIX
    clock: Callable[[], datetime] = precise_now
    # called at named points inside a file's transaction ("checked", "bronze_inserted", "quarantined",
    # "recorded"); tests use it to simulate a crash mid-load
    fault: Callable[[str], None] = no_fault


@dataclass(frozen=True)
class FileLoad:
    file_name: str
    status: str
    rows_in_file: int
    rows_loaded: int
    rows_quarantined: int
    reasons: dict[str, int]  # reason_code -> quarantined rows (row 0 = file-level findings included)
    first_error: str | None
    checksum: str | None
    load_id: str
    landed_at: datetime
    loaded_at: datetime
    seconds: float

    @property
    def skipped_duplicate_file(self) -> bool:
        return self.status == SKIPPED

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file_name,
            "status": self.status,
            "rows": self.rows_in_file,
            "loaded": self.rows_loaded,
            "quarantined": self.rows_quarantined,
            "reasons": dict(self.reasons),
            "skipped_duplicate_file": self.skipped_duplicate_file,
            "first_error": self.first_error,
            "checksum": self.checksum,
            "load_id": self.load_id,
            "landed_at": self.landed_at,
            "loaded_at": self.loaded_at,
            "seconds": round(self.seconds, 4),
        }


@dataclass
class PipeRun:
    run_id: str
    loads: list[FileLoad] = field(default_factory=list)
    messages: int = 0
    test_events: int = 0
    poison_messages: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # loads that failed; their messages come back

    @property
    def rows_loaded(self) -> int:
        return sum(load.rows_loaded for load in self.loads)

    @property
    def rows_quarantined(self) -> int:
        return sum(load.rows_quarantined for load in self.loads)


# ---- the queue consumer ---------------------------------------------------------------------------


def run_pipe(
    session: WarehouseSession,
    store: ObjectStore,
    queue: NotificationQueue,
    options: PipeOptions | None = None,
) -> PipeRun:
    """Drain the notification queue: load every announced file once; one PIPELINE_RUN_METADATA row."""
    options = options or PipeOptions()
    local = _require_duckdb(session)
    ensure_pipe_tables(local)
    with tracked_run(local, "pipe") as record:
        run = PipeRun(record.run_id)
        while options.max_messages is None or run.messages < options.max_messages:
            batch = queue.receive(
                max_messages=min(10, (options.max_messages or 10) - run.messages),
                visibility_timeout=options.visibility_timeout,
            )
            if not batch:
                break
            for message in batch:
                run.messages += 1
                _handle_message(local, store, queue, message, run, options)
        record.rows_affected = run.rows_loaded
        record.details.update(
            {
                "files": len(run.loads),
                "rows_loaded": run.rows_loaded,
                "rows_quarantined": run.rows_quarantined,
                "statuses": dict(Counter(load.status for load in run.loads)),
                "failures": run.failures[:20],
                "poison_messages": len(run.poison_messages),
            }
        )
    return run


def _handle_message(
    session: DuckDBSession,
    store: ObjectStore,
    queue: NotificationQueue,
    message: Message,
    run: PipeRun,
    options: PipeOptions,
) -> None:
    try:
        parsed = parse_message(message.body)
    except EventParseError as exc:
        log.error(
            "queue message %s is not an S3 event (%s); left for the dead-letter queue",
            message.message_id,
            exc,
        )
        run.poison_messages.append(f"{message.message_id}: {exc}")
        return
    if parsed.kind == "test":
        run.test_events += 1
        queue.delete(message)
        return
    ok = True
    for event in parsed.events:
        if not event.key.startswith(options.prefix) or event.key.rsplit("/", 1)[-1].startswith("."):
            log.info("ignoring %s: outside %s", event.key, options.prefix)
            continue
        try:
            run.loads.append(load_file(session, store, event, run.run_id, options))
        except C360Error as exc:
            ok = False
            log.error("loading %s failed (%s); the event will be delivered again", event.key, exc)
            run.failures.append(f"{event.key}: {exc}")
    if ok:
        queue.delete(message)


# ---- one file -------------------------------------------------------------------------------------


def load_file(
    session: WarehouseSession,
    store: ObjectStore,
    event: ObjectEvent,
    run_id: str,
    options: PipeOptions | None = None,
) -> FileLoad:
    """Load one landed file exactly once (module docstring); returns what happened to it."""
    options = options or PipeOptions()
    local = _require_duckdb(session)
    began = perf_counter()
    key = event.key
    landed_at = _naive_local(event.event_time)
    load_id = f"load-{uuid.uuid4().hex}"
    try:
        data = store.get_bytes(key)
    except ObjectStoreError:
        if store.exists(key):
            raise  # a transient store failure: let the event come back
        reason = "file disappeared between its event and the load (deleted or moved)"
        load = FileLoad(key, MISSING, 0, 0, 0, {}, reason, None, load_id, landed_at, options.clock(), 0.0)
        with local.transaction():
            _record(local, load, run_id, event.size)
        log.warning("%s: %s", key, reason)
        return _timed(load, began)
    checksum = hashlib.sha256(data).hexdigest()

    with local.transaction():
        prior = local.query(load_sql("pipe/prior_load"), [key, checksum])
        if not prior.empty:
            first = prior.iloc[0]
            reason = f"already loaded by {first['load_id']} at {first['loaded_at']} (same name and checksum)"
            load = FileLoad(
                key, SKIPPED, 0, 0, 0, {}, reason, checksum, load_id, landed_at, options.clock(), 0.0
            )
            _record(local, load, run_id, len(data))
            return _timed(load, began)

        parsed = parse_transactions_file(data)
        ingested_at = options.clock()  # the rows' ingestion_timestamp: one value per file
        local.con.register("pipe_rows", parsed.table)
        try:
            load = _copy(
                local, parsed, key, checksum, load_id, landed_at, ingested_at, run_id, len(data), options
            )
        finally:
            local.con.unregister("pipe_rows")
    return _timed(load, began)


def _copy(
    session: DuckDBSession,
    parsed: ParsedFile,
    key: str,
    checksum: str,
    load_id: str,
    landed_at: datetime,
    ingested_at: datetime,
    run_id: str,
    size: int,
    options: PipeOptions,
) -> FileLoad:
    """Inside the file's transaction: check, insert the good rows, quarantine the rest, record the load."""
    session.execute(load_sql("pipe/check_transactions"), check_parameters(options))
    rejected = session.query(load_sql("pipe/rejected_rows"))
    options.fault("checked")
    source_file = recorded_source_file(
        session, f"s3://local/{options.prefix}", key.removeprefix(options.prefix)
    )
    loaded = int(session.execute(load_sql("pipe/insert_bronze"), [ingested_at, source_file]))
    options.fault("bronze_inserted")
    quarantine = _quarantine_frame(parsed, rejected, load_id, key, ingested_at)
    session.insert_frame(QUARANTINE_TABLE, quarantine)
    options.fault("quarantined")
    quarantined = int((quarantine["row_number"] > 0).sum())
    if loaded + quarantined != parsed.rows_in_file:
        raise LoadError(
            f"{key}: {loaded:,} loaded + {quarantined:,} quarantined != {parsed.rows_in_file:,} rows in file"
        )
    first_error = None if quarantine.empty else str(quarantine.iloc[0]["reason"])
    recorded_at = options.clock()  # the work is done; only the LOAD_HISTORY row and the commit remain
    load = FileLoad(
        file_name=key,
        status=_status(parsed, loaded, quarantined),
        rows_in_file=parsed.rows_in_file,
        rows_loaded=loaded,
        rows_quarantined=quarantined,
        reasons=dict(Counter(quarantine["reason_code"])),
        first_error=first_error,
        checksum=checksum,
        load_id=load_id,
        landed_at=landed_at,
        loaded_at=recorded_at,
        seconds=0.0,
    )
    _record(session, load, run_id, size)
    options.fault("recorded")
    session.execute("drop table if exists pipe_rejected")
    return load


def check_parameters(options: PipeOptions) -> list[object]:
    """The bound parameters of sql/pipe/check_transactions.sql, in its text order."""
    latest = options.clock() + options.future_tolerance
    minutes = options.future_tolerance.total_seconds() / 60
    channels, statuses = list(names.CHANNELS), list(names.STATUSES)
    return [
        float(options.max_amount),
        latest,
        options.earliest_timestamp,
        channels,
        statuses,
        [c.name for c in CATEGORIES],
        f"{options.max_amount:.2f}",
        f"after {latest:%Y-%m-%d %H:%M:%S} = pipe clock + {minutes:g} min tolerance",
        f"{options.earliest_timestamp:%Y-%m-%d}",
        ", ".join(channels),
        ", ".join(statuses),
    ]


def _quarantine_frame(
    parsed: ParsedFile, rejected: pd.DataFrame, load_id: str, file_name: str, at: datetime
) -> pd.DataFrame:
    rows: list[Rejection] = list(parsed.rejections)
    rows.extend(
        Rejection(
            as_int(r.row_number), parsed.raw_line(as_int(r.row_number)), str(r.reason_code), str(r.reason)
        )
        for r in rejected.itertuples(index=False)
    )
    if parsed.file_issue is not None:
        rows.append(parsed.file_issue)
    return pd.DataFrame(
        {
            "load_id": load_id,
            "file_name": file_name,
            "row_number": pd.array([r.row_number for r in rows], dtype="int64"),
            "raw_line": [r.raw_line for r in rows],
            "reason": [r.reason for r in rows],
            "reason_code": [r.code for r in rows],
            "quarantined_at": at,
        },
        columns=["load_id", "file_name", "row_number", "raw_line", "reason", "reason_code", "quarantined_at"],
    ).sort_values("row_number", kind="stable", ignore_index=True)


def _status(parsed: ParsedFile, loaded: int, quarantined: int) -> str:
    if parsed.rows_in_file == 0:
        issue = parsed.file_issue
        return NO_DATA if issue is not None and issue.code in {"EMPTY_FILE", "NO_DATA"} else FAILED
    if quarantined == 0:
        return LOADED
    return FAILED if loaded == 0 else PARTIAL


def _record(session: DuckDBSession, load: FileLoad, run_id: str, size: int) -> None:
    session.execute(
        load_sql("pipe/record_load"),
        [
            load.load_id,
            run_id,
            load.file_name,
            load.checksum,
            TABLE,
            load.status,
            load.rows_in_file,
            load.rows_loaded,
            load.rows_quarantined,
            load.first_error[:4000] if load.first_error else None,
            load.landed_at,
            load.loaded_at,
            size,
        ],
    )


def _timed(load: FileLoad, began: float) -> FileLoad:
    from dataclasses import replace

    return replace(load, seconds=perf_counter() - began)


# ---- housekeeping ---------------------------------------------------------------------------------


def ensure_pipe_tables(session: WarehouseSession) -> None:
    """Idempotent: the bronze/observability DDL plus the streaming columns (platforms built earlier); once
    per local session (DuckDBSession.run_script_once)."""
    for name in ("ddl/schemas", "ddl/bronze", "ddl/observability", "ddl/streaming"):
        sql = load_sql(name, session.dialect)
        if isinstance(session, DuckDBSession):
            session.run_script_once(name, sql)
        else:
            session.run_script(sql)


def refresh(
    session: WarehouseSession, store: ObjectStore, queue: NotificationQueue, prefix: str
) -> list[str]:
    """ALTER PIPE ... REFRESH: queue an event for every object under prefix the pipe has not seen yet."""
    seen = set(session.query(load_sql("pipe/loaded_file_names"), [prefix])["file_name"])
    queued = []
    for obj in store.list(prefix):
        if obj.key in seen or obj.key.rsplit("/", 1)[-1].startswith("."):
            continue
        queue.send(
            s3_event_message(ObjectEvent(store.bucket, obj.key, obj.size, obj.etag, obj.last_modified))
        )
        queued.append(obj.key)
    return queued


def _require_duckdb(session: WarehouseSession) -> DuckDBSession:
    if not isinstance(session, DuckDBSession):
        raise C360Error(
            "the local pipe loads into the embedded warehouse; on Snowflake the managed pipe "
            f"{names.TRANSACTIONS_PIPE} loads the files (sql/pipe/transactions_pipe.snowflake.sql)"
        )
    return session


def _naive_local(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def quarantine_counts(loads: Sequence[FileLoad]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for load in loads:
        total.update(load.reasons)
    return dict(total)
