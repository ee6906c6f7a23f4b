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
  visibility timeout; a message that is not an S3 event is left for the dead-letter area;
- when the warehouse itself fails (disk full, an I/O error), the run stops at once and hands every
  message it still holds back to the queue (visible again immediately), so the next run retries them;
- the queue is drained in receives of at most 10 messages (SQS's cap), any number of them per run.

Per file: rows_loaded + rows_quarantined = rows_in_file (checked before commit), where rows are the
file's CSV records (c360/landing/csvfile.py: a quoted field may span lines).
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from time import perf_counter

import duckdb
import pandas as pd

from c360 import names
from c360.engines.base import WarehouseSession
from c360.engines.duckdb import DuckDBSession
from c360.errors import C360Error, LoadError, ObjectStoreError, WarehouseError
from c360.faults import FaultHook, no_fault
from c360.landing.csvfile import ParsedFile, Rejection, parse_transactions_file
from c360.landing.events import EventParseError, parse_message, s3_event_message
from c360.landing.queue import (
    DEFAULT_VISIBILITY_TIMEOUT,
    MAX_BATCH,
    LocalNotificationQueue,
    Message,
    NotificationQueue,
)
from c360.landing.stage_metadata import recorded_source_file
from c360.observability import tracked_run
from c360.reference import CATEGORIES
from c360.sqlfiles import load_sql
from c360.storage.base import ObjectEvent, ObjectStore
from c360.storage.local import LocalObjectStore
from c360.values import as_int

log = logging.getLogger(__name__)

TABLE = f"{names.BRONZE}.{names.BRONZE_TRANSACTIONS}"
QUARANTINE_TABLE = f"{names.OBSERVABILITY}.{names.QUARANTINE}"
LOADED, PARTIAL, FAILED, NO_DATA = "LOADED", "PARTIALLY_LOADED", "LOAD_FAILED", "NO_DATA"
SKIPPED, MISSING = "SKIPPED_DUPLICATE", "FILE_MISSING"


def precise_now() -> datetime:
    """Wall clock, naive local time like every other timestamp in the warehouse, to the microsecond."""
    return datetime.now()


@dataclass(frozen=True)
class PipeOptions:
    future_tolerance: timedelta = timedelta(minutes=15)
    earliest_timestamp: datetime = datetime(2000, 1, 1)
    max_amount: Decimal = Decimal("100000.00")
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT
    max_messages: int | None = None  # per run; None = until the queue is empty
    prefix: str = names.STREAMING_PREFIX
    clock: Callable[[], datetime] = precise_now
    # called at the named points of c360/faults.py (pipe.received ... pipe.acked); fault-injection runs
    # and tests use it to crash the consumer there
    fault: FaultHook = no_fault


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
    stopped: str | None = None  # why the run stopped early (the warehouse failed); messages handed back
    requeued: list[str] = field(default_factory=list)  # objects whose lost event was queued again first

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
    """Drain the notification queue: load every announced file once; one PIPELINE_RUN_METADATA row.

    Never raises for a failing warehouse: the run stops, hands its messages back and says why in
    `stopped` (what committed before stays committed and listed in `loads`)."""
    options = options or PipeOptions()
    local = _require_duckdb(session)
    run = PipeRun("")
    try:
        ensure_pipe_tables(local)
        with tracked_run(local, "pipe") as record:
            run.run_id = record.run_id
            _drain(local, store, queue, run, options)
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
            if run.stopped is not None:
                raise _Stopped(run.stopped)  # the run's record says FAILED, with the reason
    except _Stopped:
        pass
    except WarehouseError as exc:  # the warehouse failed outside a file (e.g. writing the run record)
        if run.stopped is None:
            run.stopped = f"the warehouse failed: {exc}"
            run.failures.append(run.stopped)
    return run


class _Stopped(Exception):
    """Ends the tracked run as FAILED after the pipe stopped on a warehouse failure."""


def _drain(
    session: DuckDBSession,
    store: ObjectStore,
    queue: NotificationQueue,
    run: PipeRun,
    options: PipeOptions,
) -> None:
    """Receive (at most 10 at a time, as SQS allows) and handle messages until the queue is empty."""
    while True:
        wanted = MAX_BATCH
        if options.max_messages is not None:
            wanted = min(MAX_BATCH, options.max_messages - run.messages)
            if wanted < 1:
                return
        batch = queue.receive(max_messages=wanted, visibility_timeout=options.visibility_timeout)
        if not batch:
            return
        options.fault("pipe.received")
        for position, message in enumerate(batch):
            run.messages += 1
            try:
                _handle_message(session, store, queue, message, run, options)
            except WarehouseError as exc:
                run.stopped = f"the warehouse failed: {exc}"
                run.failures.append(run.stopped)
                log.error("%s; %d message(s) handed back to the queue", run.stopped, len(batch) - position)
                _hand_back(queue, batch[position:])
                return


def _hand_back(queue: NotificationQueue, messages: Sequence[Message]) -> None:
    for message in messages:
        try:
            queue.change_visibility(message, 0)
        except C360Error as exc:  # it comes back after its visibility timeout instead
            log.warning("queue message %s not handed back: %s", message.message_id, exc)


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
        except WarehouseError as exc:
            if is_fatal(exc):
                raise  # not this file's fault: the run stops (run_pipe)
            ok = False
            log.error("loading %s failed (%s); the event will be delivered again", event.key, exc)
            run.failures.append(f"{event.key}: {exc}")
        except C360Error as exc:
            ok = False
            log.error("loading %s failed (%s); the event will be delivered again", event.key, exc)
            run.failures.append(f"{event.key}: {exc}")
        options.fault("pipe.committed")
    if ok:
        queue.delete(message)
        options.fault("pipe.acked")


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
        with _file_transaction(local):
            _record(local, load, run_id, event.size)
        log.warning("%s: %s", key, reason)
        return _timed(load, began)
    checksum = hashlib.sha256(data).hexdigest()

    with _file_transaction(local):
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


@contextmanager
def _file_transaction(session: DuckDBSession) -> Iterator[None]:
    """One file's transaction. A failing commit or rollback (disk full, I/O error) is a WarehouseError,
    never a raw driver error; a rollback that fails after an error never hides that error."""
    try:
        session.con.execute("begin transaction")
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot start a transaction: {_driver_message(exc)}") from exc
    try:
        yield
    except BaseException:
        try:
            session.con.execute("rollback")
        except duckdb.Error as exc:
            log.error("rollback after a failed load also failed: %s", _driver_message(exc))
        raise
    try:
        session.con.execute("commit")
    except duckdb.Error as exc:
        raise WarehouseError(
            f"commit failed, nothing of the file was loaded: {_driver_message(exc)}"
        ) from exc


def is_fatal(exc: BaseException) -> bool:
    """A warehouse failure no retry of the same file can fix now: I/O (disk full), a fatal or internal
    error, an invalidated database. Everything else is about the statement, i.e. the file."""
    cause = exc.__cause__ or exc
    if isinstance(cause, (duckdb.IOException, duckdb.FatalException, duckdb.InternalException)):
        return True
    text = str(exc).lower()
    return any(marker in text for marker in FATAL_MARKERS)


# I/O failures of the Parquet files (DuckDB) and of the lake's SQLite catalog ("database or disk is full"
# when a commit cannot grow the catalog's write-ahead log)
FATAL_MARKERS = ("no space left", "disk is full", "invalidated", "i/o error", "io error")


def _driver_message(exc: BaseException) -> str:
    """The driver's first line, plus its last when that is the root cause (a failed DuckLake commit says
    'Failed to commit DuckLake transaction.' first and what the catalog answered last)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return f"{type(exc).__name__}: {exc!r}"
    text = lines[0] if len(lines) == 1 else f"{lines[0]} ({lines[-1]})"
    return f"{type(exc).__name__}: {text}"


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
    options.fault("pipe.checked")
    source_file = recorded_source_file(
        session, f"s3://local/{options.prefix}", key.removeprefix(options.prefix)
    )
    loaded = int(session.execute(load_sql("pipe/insert_bronze"), [ingested_at, source_file]))
    options.fault("pipe.bronze")
    quarantine = _quarantine_frame(parsed, rejected, load_id, key, ingested_at)
    session.insert_frame(QUARANTINE_TABLE, quarantine)
    options.fault("pipe.quarantined")
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
    options.fault("pipe.recorded")
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
    return replace(load, seconds=perf_counter() - began)


# ---- housekeeping ---------------------------------------------------------------------------------


def ensure_pipe_tables(session: WarehouseSession) -> None:
    """Idempotent: the bronze/observability DDL plus the streaming columns (platforms built earlier); once
    per local session, in one transaction (DuckDBSession.run_scripts_once)."""
    scripts = [
        (name, load_sql(name, session.dialect))
        for name in ("ddl/schemas", "ddl/bronze", "ddl/observability", "ddl/streaming")
    ]
    if isinstance(session, DuckDBSession):
        session.run_scripts_once(scripts)
        return
    for _, sql in scripts:
        session.run_script(sql)


def refresh(
    session: WarehouseSession, store: ObjectStore, queue: NotificationQueue, prefix: str
) -> list[str]:
    """ALTER PIPE ... REFRESH for the local pipe: queue an event for every object under prefix whose
    current version the pipe has not processed and for which no event is waiting, in flight or dead-lettered.

    This is how the local pipe recovers an event that never reached the queue (the process died between
    storing the object and sending the event, or the message was unreadable): the streaming commands run
    it before every pipe run. An object stored again after its last load is queued again (a new version).
    A dead-lettered event counts as known: re-driving it is the operator's call (`c360 ingest --redrive`).
    Returns the keys it queued.
    """
    loaded = session.query(load_sql("pipe/loaded_file_names"), [prefix]).dropna(subset=["last_landed_at"])
    processed: dict[str, datetime] = {
        str(name): pd.Timestamp(landed).to_pydatetime()
        for name, landed in zip(loaded["file_name"], loaded["last_landed_at"], strict=True)
    }
    announced = queued_keys(queue)
    queued = []
    for key, size, modified in landed_files(store, prefix):
        if key in announced:
            continue
        last = processed.get(key)
        if last is not None and _naive_local(modified) <= last + SAME_LANDING:
            continue
        queue.send(s3_event_message(ObjectEvent(store.bucket, key, size, "", modified)))
        queued.append(key)
    if queued:
        log.warning(
            "queued %d object(s) whose event was never received: %s", len(queued), ", ".join(queued[:5])
        )
    return queued


# an event's time has millisecond precision (S3's eventTime): a landing within this of the recorded one is
# the same landing
SAME_LANDING = timedelta(milliseconds=2)


def queued_keys(queue: NotificationQueue) -> set[str]:
    """Object keys named by the local queue's readable messages (waiting, in flight or dead)."""
    if not isinstance(queue, LocalNotificationQueue):
        return set()
    keys: set[str] = set()
    for message in queue.messages():
        if message.body is None:
            continue
        try:
            parsed = parse_message(message.body)
        except EventParseError:
            continue
        keys.update(event.key for event in parsed.events)
    return keys


def landed_files(store: ObjectStore, prefix: str) -> list[tuple[str, int, datetime]]:
    """(key, size, modified as aware UTC) of every object under prefix, hidden names (".x", parts) left out.
    The local store is walked with stat() only: its list() also computes each object's ETag (an MD5 of the
    whole file), far too slow to run before every pipe run."""
    if not isinstance(store, LocalObjectStore):
        return [(o.key, o.size, o.last_modified) for o in store.list(prefix) if not _hidden(o.key)]
    base = store.root / prefix
    found: list[tuple[str, int, datetime]] = []
    for folder, _, files in os.walk(base):
        for name in files:
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except FileNotFoundError:
                continue  # deleted meanwhile
            key = os.path.relpath(path, store.root).replace(os.sep, "/")
            found.append((key, st.st_size, datetime.fromtimestamp(st.st_mtime, tz=UTC)))
    return sorted(found)


def _hidden(key: str) -> bool:
    return key.rsplit("/", 1)[-1].startswith(".")


def _require_duckdb(session: WarehouseSession) -> DuckDBSession:
    if not isinstance(session, DuckDBSession):
        raise C360Error(
            "the local pipe loads into the embedded warehouse; on Snowflake the managed pipe "
            f"{names.TRANSACTIONS_PIPE} loads the files (sql/pipe/transactions_pipe.snowflake.sql)"
        )
    return session


def _naive_local(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment
