"""`c360 stream` and `c360 ingest` behind the CLI: land files, run the pipe, refresh gold, publish to readers.

One streaming cycle (per batch):
    generate the next hourly batch (generators/batches.py, on the stream clock)
    -> put it in the object store (the local store's listener enqueues the S3-format event)
    -> queue events for landed objects whose event was lost (a process died between the two)
    -> run the pipe (drains the queue: this batch and anything else landed meanwhile)
    -> refresh gold incrementally (the dbt engineer's `refresh_incremental`: stg_transactions+)
    -> publish the lake's current snapshot to readers as soon as the refresh's last model committed and
       none failed (they never see a half-refreshed gold layer), while dbt's on-run-end hooks still write
       the run's observability rows; after a refresh that did not reach that point, once it returns
    -> stamp LOAD_HISTORY.gold_refreshed_at; landing -> gold latency = the moment of the publish - the
       object's event time (the hooks' time after it is reported apart, as BatchReport.hooks_seconds:
       readers do not wait for it)
    -> evaluate the alert rules (c360/alerts/evaluation.py) and publish again (stamps, hooks' rows, alerts)
    -> maintenance: expire the versions no reader can see any more, rewrite the tables streamed batches
       left the most delete files in (c360/engines/maintenance.py).

Commit and visibility contract (local lake, c360/engines/lake.py):
- The Streamer's writer session holds the warehouse's writer lock from its first use until close();
  dbt writes the lake through its own connection meanwhile (the lock is this process's).
- Each file's bronze rows, quarantine rows and LOAD_HISTORY row are ONE lake commit (c360/landing/pipe.py);
  the queue message is deleted only after it. A crash before the commit leaves no trace of the file.
- The gold refresh commits model by model; readers see none of it until the Streamer records the lake's
  current snapshot in warehouse/published.json (one atomic rename) after the last model's commit. A crash between the pipe's commit and
  the publish leaves bronze ahead of gold and readers on the previous publication; the next cycle's
  refresh picks the rows up (dbt's incremental watermarks) and publishes both.

Crash safety: the process may die anywhere (c360/faults.py names the points the fault-injection harness
kills it at, c360/bench/faultinjection.py). A restart finds each file committed or not at all, the
queue hands a dead consumer's messages out again, lost events are re-queued, a refresh that did not
finish leaves its files unstamped so the next cycle refreshes them, Parquet files a killed writer never
committed are orphans that maintenance deletes, and readers keep the last snapshot that was published.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING

import pandas as pd

from c360 import names
from c360.alerts.evaluation import after_writer_run
from c360.config import Settings, Target
from c360.engines import open_session
from c360.engines.duckdb import DuckDBSession
from c360.engines.maintenance import StreamMaintenance
from c360.errors import C360Error, ObjectStoreError, SettingsError, WarehouseError
from c360.faults import FILLER_NAME, FaultHook, FaultInjector, no_fault
from c360.landing.pipe import (
    FileLoad,
    PipeOptions,
    PipeRun,
    ensure_pipe_tables,
    landed_files,
    refresh,
    run_pipe,
)
from c360.landing.queue import LocalNotificationQueue
from c360.percentiles import percentile
from c360.snapshots import Publication, publish_snapshot
from c360.sqlfiles import load_sql
from c360.storage import open_store
from c360.storage.base import ObjectEvent, ObjectStore
from c360.storage.local import LocalObjectStore
from c360.values import as_int
from generators.batches import DEFAULT_BATCH_SIZE, Batch, generate_batch, latest_batch, next_window

if TYPE_CHECKING:
    from c360.transform.build_state import BuildState
    from c360.transform.dbt import InProcessDbt

log = logging.getLogger(__name__)

# refresh(settings) brings gold up to date with bronze; returns a short description (e.g. models run)
GoldRefresh = Callable[[Settings], str]
# progress(event, payload): "batch" after each cycle (a BatchReport), "waiting" before a sleep
StreamProgress = Callable[[str, object], None]


def no_stream_progress(event: str, payload: object) -> None:
    return None


@dataclass(frozen=True)
class BatchReport:
    number: int
    key: str
    window_start: datetime
    window_end: datetime
    rows_in_file: int
    rows_loaded: int
    rows_quarantined: int
    reasons: dict[str, int]
    status: str
    landed_at: datetime
    loaded_at: datetime
    gold_at: datetime | None
    pipe_seconds: float
    refresh_seconds: float
    snapshot_seconds: float
    other_files: int = 0  # files the same pipe run loaded that this cycle did not land (e.g. `c360 ingest`)
    hooks_seconds: float = 0.0  # the refresh's work after readers saw gold (GoldTiming.hooks_seconds)

    @property
    def seconds_to_bronze(self) -> float:
        return (self.loaded_at - self.landed_at).total_seconds()

    @property
    def seconds_to_gold(self) -> float | None:
        return None if self.gold_at is None else (self.gold_at - self.landed_at).total_seconds()

    def as_dict(self) -> dict[str, object]:
        return {
            "batch": self.number,
            "file": self.key,
            "window": [self.window_start, self.window_end],
            "status": self.status,
            "rows": self.rows_in_file,
            "loaded": self.rows_loaded,
            "quarantined": self.rows_quarantined,
            "reasons": self.reasons,
            "landed_at": self.landed_at,
            "seconds_to_bronze": round(self.seconds_to_bronze, 3),
            "seconds_to_gold": None if self.seconds_to_gold is None else round(self.seconds_to_gold, 3),
            "pipe_seconds": round(self.pipe_seconds, 3),
            "refresh_seconds": round(self.refresh_seconds, 3),
            "snapshot_seconds": round(self.snapshot_seconds, 3),
            "hooks_seconds": round(self.hooks_seconds, 3),
            "other_files": self.other_files,
        }


@dataclass(frozen=True)
class GoldTiming:
    """One `Streamer.publish()`: when readers began to see the refreshed gold (None: nothing was refreshed),
    the refresh up to that moment (its last model's commit), the publish itself, and the refresh's work
    after it: dbt's on-run-end hooks writing the run's observability rows, which readers do not wait for
    and landing -> gold therefore does not count (0 when the refresh published only once it returned)."""

    visible_at: datetime | None
    refresh_seconds: float
    snapshot_seconds: float
    hooks_seconds: float = 0.0


@dataclass
class StreamReport:
    batches: list[BatchReport] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    gold_refreshed: bool = False

    def latencies(self) -> list[float]:
        return [b.seconds_to_gold for b in self.batches if b.seconds_to_gold is not None]

    def summary(self) -> dict[str, object]:
        gold = self.latencies()
        return {
            "batches": len(self.batches),
            "rows_loaded": sum(b.rows_loaded for b in self.batches),
            "rows_quarantined": sum(b.rows_quarantined for b in self.batches),
            "gold_refreshed": self.gold_refreshed,
            "landing_to_gold_median_seconds": round(statistics.median(gold), 3) if gold else None,
            "landing_to_gold_p95_seconds": round(percentile(gold, 95), 3) if gold else None,
            "landing_to_gold_max_seconds": round(max(gold), 3) if gold else None,
            "failures": self.failures,
        }


# ---- settings and seams ---------------------------------------------------------------------------


def open_queue(settings: Settings) -> LocalNotificationQueue:
    return LocalNotificationQueue(settings.queue_dir)


def open_landing(
    settings: Settings, queue: LocalNotificationQueue, fault: FaultHook = no_fault
) -> ObjectStore:
    """The object store with bucket notifications on the streaming prefix (local: the durable queue)."""
    if settings.target is Target.snowflake:
        return open_store(settings)  # S3 notifies SNS -> SQS -> Snowpipe itself (declared by the stack)
    notify = queue.listener(names.STREAMING_PREFIX)

    def after_store(event: ObjectEvent) -> None:
        fault("land.notify")  # the object is stored, its event not sent yet
        notify(event)

    return LocalObjectStore(settings.lake_dir, listeners=[after_store])


class DbtGoldRefresh:
    """The dbt engineer's incremental selection (`refresh_incremental`: stg_transactions+ without the
    churn step's models) on a warm in-process dbt: imported and parsed once per stream, not per batch.
    The build state the refresh advances is recorded by `settle`, which the Streamer calls once readers
    already see the refreshed gold (it is bookkeeping for the next `c360 up`, not part of gold)."""

    def __init__(self) -> None:
        self._runner: InProcessDbt | None = None
        self._checkpoint: BuildState | None = None
        self._fault: FaultHook = no_fault
        self._gold_complete: Callable[[], None] | None = None

    def warm(self, settings: Settings) -> None:
        """Import dbt and parse the project now instead of at the first refresh."""
        from c360.transform.dbt import REFRESH_ENVIRONMENT, InProcessDbt

        if self._runner is None:
            self._runner = InProcessDbt(settings, environment=REFRESH_ENVIRONMENT)
        self._runner.parse()

    def bind_faults(self, fault: FaultHook) -> None:
        """Report every finished dbt node as the fault point `gold.node` (fault-injection runs)."""
        self._fault = fault

    def bind_gold_complete(self, callback: Callable[[], None]) -> None:
        """Call `callback` (the Streamer's publish) as soon as every node of the refresh has committed
        successfully, before dbt's on-run-end hooks write the run's observability rows."""
        self._gold_complete = callback

    def __call__(self, settings: Settings) -> str:
        from c360.transform.dbt import REFRESH_ENVIRONMENT, InProcessDbt, run_refresh

        if self._runner is None:
            self._runner = InProcessDbt(settings, environment=REFRESH_ENVIRONMENT)
        self.settle(settings)  # a checkpoint left by a caller that never published (none in the Streamer)
        fault = self._fault
        completion = NodeCompletion(self._gold_complete)

        def node_finished(index: float, total: float, node: str) -> None:
            fault("gold.node")
            completion.finished(index, total, node)

        # dbt prints failing nodes to stdout: keep stdout for the command's own output (--format json)
        with contextlib.redirect_stdout(sys.stderr):
            result, self._checkpoint = run_refresh(settings, runner=self._runner, progress=node_finished)
        result.raise_for_status()
        return f"{result.models_run} model(s) in {result.elapsed:.2f} s (dbt {result.dbt_elapsed or 0:.2f} s)"

    def settle(self, settings: Settings) -> None:
        """Record the build state of the last successful refresh (see refresh_incremental)."""
        from c360.transform.build_state import record_refresh

        checkpoint, self._checkpoint = self._checkpoint, None
        if checkpoint is not None:
            record_refresh(settings, checkpoint)

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
            self._runner = None


class NodeCompletion:
    """Counts a dbt invocation's finished nodes (its progress reports, in order: one dbt thread locally)
    and calls `callback` once, when the last of them finished and none failed: gold is then committed in
    full, and only the on-run-end hooks (observability rows, not gold) are left. A failed node (status
    `error`) disables the call; a skipped one never reports, so the count never reaches the total."""

    def __init__(self, callback: Callable[[], None] | None) -> None:
        self.callback = callback
        self.succeeded: set[int] = set()
        self.failed = False
        self.called = False

    def finished(self, index: float, total: float, node: str) -> None:
        if node.rsplit(" ", 1)[-1].lower() == "error":
            self.failed = True
        else:
            self.succeeded.add(int(index))
        if self.callback is None or self.called or self.failed:
            return
        if len(self.succeeded) == int(total):
            self.called = True
            self.callback()


# ---- one cycle -------------------------------------------------------------------------------------


@dataclass
class Streamer:
    """Holds the writer session between cycles; `close()` when done."""

    settings: Settings
    refresh_gold: GoldRefresh | None = None
    pipe_options: PipeOptions = field(default_factory=PipeOptions)
    clock: Callable[[], datetime] = datetime.now
    maintenance: StreamMaintenance = field(default_factory=StreamMaintenance)
    queue: LocalNotificationQueue = field(init=False)
    store: ObjectStore = field(init=False)
    faults: FaultInjector = field(init=False)
    _session: DuckDBSession | None = field(default=None, init=False)
    _provisioned: bool = field(default=False, init=False)
    _customers: pd.DataFrame | None = field(default=None, init=False)
    _published_early: tuple[datetime, float, float] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.settings.target is not Target.local:
            raise SettingsError(
                "`c360 stream` drives the local pipe; on Snowflake land files in S3 and the managed pipe "
                f"{names.TRANSACTIONS_PIPE} and the task graph load and refresh them"
            )
        self.faults = FaultInjector(self.settings.kill_at, filler=self.settings.tmp_dir / FILLER_NAME)
        if self.pipe_options.fault is no_fault:
            self.pipe_options = replace(self.pipe_options, fault=self.faults)
        bind = getattr(self.refresh_gold, "bind_faults", None)
        if callable(bind):
            bind(self.faults)
        bind_complete = getattr(self.refresh_gold, "bind_gold_complete", None)
        if callable(bind_complete):
            bind_complete(self._publish_complete_gold)
        self.queue = open_queue(self.settings)
        self.store = open_landing(self.settings, self.queue, self.faults)

    @property
    def session(self) -> DuckDBSession:
        if self._session is None:
            try:
                session = open_session(self.settings)
            except OSError as exc:  # e.g. a full disk while the lake's files are opened
                raise WarehouseError(
                    f"cannot open the local warehouse ({exc.strerror or exc}){full_disk_note(self.settings, '')}"
                ) from None
            assert isinstance(session, DuckDBSession)
            if not self._provisioned:
                ensure_pipe_tables(session)
                self._provisioned = True
            self._session = session
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def alert_after_failure(self) -> None:
        """Evaluate the alerts after a failed cycle (e.g. a failed gold refresh fires its alert now)."""
        try:
            session = self.session
        except C360Error as exc:
            log.warning("alerts not evaluated after the failure: %s", exc)
            return
        after_writer_run(self.settings, session)

    def finish(self) -> None:
        self.close()
        closer = getattr(self.refresh_gold, "close", None)
        if callable(closer):
            closer()

    def customers(self) -> pd.DataFrame:
        if self._customers is None:
            self._customers = self.session.query(load_sql("pipe/stream_customers"), [names.CUSTOMERS_KEY])
            if self._customers.empty:
                raise C360Error("BRONZE.BRONZE_CUSTOMERS is empty: run `c360 up` first")
        return self._customers

    def next_batch(self, size: int, anomalies: int) -> Batch:
        scale = self.settings.scale
        last = latest_batch(landed_objects(self.store, names.STREAMING_PREFIX))
        history_end = datetime.combine(scale.as_of, datetime.min.time())
        window = next_window(last, history_end, self.clock())
        return generate_batch(
            self.customers(),
            window,
            seed=scale.seed,
            as_of=scale.as_of,
            months=scale.months,
            size=size,
            anomalies=anomalies,
            now=self.clock(),
        )

    def pipe(self) -> PipeRun:
        """Queue the events that never arrived (refresh), then drain the queue. A warehouse failure
        (e.g. disk full) is the run's `stopped` reason; files committed before it stay listed."""
        requeue_failure = None
        try:
            requeued = refresh(self.session, self.store, self.queue, self.pipe_options.prefix)
        except WarehouseError as exc:
            run = PipeRun("")
            run.stopped = f"the warehouse is busy or unavailable ({' '.join(str(exc).split())})"
            run.failures.append(run.stopped)
            return run
        except C360Error as exc:  # the queue cannot be written: load what is queued, retry next run
            requeued, requeue_failure = [], f"lost events were not queued again ({exc}); the next run retries"
        run = run_pipe(self.session, self.store, self.queue, self.pipe_options)
        run.requeued = requeued
        if requeue_failure is not None:
            run.failures.append(requeue_failure)
        return run

    def publish(self) -> GoldTiming:
        """Refresh gold when bronze has rows gold lacks, publish a snapshot, stamp the files now in gold,
        evaluate the alerts, publish again.

        Readers see the refreshed gold as soon as it is complete; the cycle's bookkeeping follows in a
        second publication moments later: the LOAD_HISTORY stamps (Pipeline Health), the alert evaluation
        (which then sees this batch's landing -> gold latency too) and the dbt build state. A failed refresh
        leaves the files unstamped: the next cycle refreshes them (dbt's incremental watermarks pick up every
        bronze row not yet in silver).
        """
        prefix = names.STREAMING_PREFIX
        pending = as_int(self.session.scalar(load_sql("pipe/pending_gold"), [prefix]) or 0)
        refresh_seconds = hooks_seconds = 0.0
        refresh_started: datetime | None = None
        self._take_early_publication()  # a previous cycle's, if its refresh failed after publishing
        if pending and self.refresh_gold is not None:
            # dbt writes the lake through its own connection; this session keeps the writer lock
            self.faults("gold.start")
            refresh_started = datetime.now()
            began = perf_counter()
            summary = self.refresh_gold(self.settings)
            ended = perf_counter()
            refresh_seconds = ended - began
            early = self._published_early
            if early is not None:  # the refresh published mid-way: what follows it is the hooks' time
                refresh_seconds = early[1] - began
                hooks_seconds = max(ended - early[1] - early[2], 0.0)
            self.faults("gold.done")
            log.info(
                "gold refreshed in %.2fs, then %.2fs of on-run-end hooks (%d file(s) pending): %s",
                refresh_seconds,
                hooks_seconds,
                pending,
                summary,
            )
        early = self._take_early_publication()
        visible_at: datetime | None = None
        if early is not None:  # published when the refresh's last model committed (_publish_complete_gold)
            visible_at, _, snapshot_seconds = early
        else:
            began = perf_counter()
            self.make_visible()
            snapshot_seconds = perf_counter() - began
            if refresh_started is not None:
                visible_at = datetime.now()
        if refresh_started is not None:
            self.session.execute(load_sql("pipe/stamp_gold_refresh"), [visible_at, refresh_started, prefix])
        settle = getattr(self.refresh_gold, "settle", None)
        if callable(settle):
            settle(self.settings)  # the refresh's own bookkeeping (dbt build state), off the latency path
        after_writer_run(self.settings, self.session)  # alerts over this cycle, stamps included
        publication = publish_snapshot(
            self.settings, self.session, self.faults
        )  # the stamps and the alert state
        self.maintenance.after_publish(self.session, publication.snapshot_id)  # old versions, small files
        return GoldTiming(visible_at, refresh_seconds, snapshot_seconds, hooks_seconds)

    def published_before_failure(self) -> datetime | None:
        """When readers began to see this cycle's complete gold, if the refresh published it and then failed
        in dbt's on-run-end hooks (the cycle's bookkeeping, not gold): None when nothing was published."""
        return self._published_early[0] if self._published_early is not None else None

    def _take_early_publication(self) -> tuple[datetime, float, float] | None:
        """(when, its perf_counter start, seconds) of the publish the refresh triggered
        (_publish_complete_gold), then forgotten."""
        early, self._published_early = self._published_early, None
        return early

    def _publish_complete_gold(self) -> None:
        """Called by the gold refresh when its last model has committed and none failed: readers see the
        refreshed gold now, while dbt's on-run-end hooks still write the run's observability rows
        (published with the LOAD_HISTORY stamps moments later, like the alert state)."""
        began = perf_counter()
        self.make_visible()
        self._published_early = (datetime.now(), began, perf_counter() - began)

    def make_visible(self) -> Publication:
        """The one step that makes committed work visible to readers (the app, `c360 sql`): everything
        committed before it, and nothing half-done, is what readers see after it: the lake's current
        snapshot becomes the published one (c360/snapshots.py), under this process's writer lock. Fault
        points publish.start / publish.staged / publish.done bracket it."""
        self.faults("publish.start")
        publication = publish_snapshot(self.settings, self.session, self.faults)
        self.faults("publish.done")
        return publication


def stream(
    settings: Settings,
    *,
    batches: int,
    interval: float = 0.0,
    size: int = DEFAULT_BATCH_SIZE,
    anomalies: int = 0,
    refresh_gold: GoldRefresh | None = None,
    pipe_options: PipeOptions | None = None,
    progress: StreamProgress = no_stream_progress,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = datetime.now,
) -> StreamReport:
    """Run `batches` streaming cycles, `interval` seconds apart (start to start)."""
    if batches < 1:
        raise SettingsError("--batches must be at least 1")
    if interval < 0:
        raise SettingsError("--interval must not be negative")
    report = StreamReport()
    streamer = Streamer(settings, refresh_gold, pipe_options or PipeOptions(), clock)
    try:
        for number in range(1, batches + 1):
            began = perf_counter()
            report.batches.append(_cycle(streamer, number, size, anomalies, report))
            progress("batch", report.batches[-1])
            if number < batches:
                wait = interval - (perf_counter() - began)
                if wait > 0:
                    progress("waiting", wait)
                    sleep(wait)
    except C360Error:
        streamer.alert_after_failure()
        raise
    finally:
        streamer.finish()
    return report


def _cycle(streamer: Streamer, number: int, size: int, anomalies: int, report: StreamReport) -> BatchReport:
    batch = streamer.next_batch(size, anomalies)
    streamer.store.put_bytes(batch.key, batch.body)
    began = perf_counter()
    run = streamer.pipe()
    pipe_seconds = perf_counter() - began
    report.failures.extend(run.failures)
    if run.stopped is not None:
        raise C360Error(
            f"{run.stopped}{full_disk_note(streamer.settings, run.stopped)}. {len(run.loads)} file(s) were "
            "loaded before it; every other landed file's event stays queued and the next run loads it"
        )
    ours = [load for load in run.loads if load.file_name == batch.key]
    if not ours:
        raise C360Error(
            f"the pipe did not load {batch.key}: {'; '.join(run.failures) or 'no event received'}"
        )
    load = ours[-1]
    timing = streamer.publish()
    gold_at = timing.visible_at
    report.gold_refreshed = report.gold_refreshed or gold_at is not None
    return BatchReport(
        number=number,
        key=batch.key,
        window_start=batch.window.start,
        window_end=batch.window.end,
        rows_in_file=load.rows_in_file,
        rows_loaded=load.rows_loaded,
        rows_quarantined=load.rows_quarantined,
        reasons=load.reasons,
        status=load.status,
        landed_at=load.landed_at,
        loaded_at=load.loaded_at,
        gold_at=gold_at if load.rows_loaded else None,
        pipe_seconds=pipe_seconds,
        refresh_seconds=timing.refresh_seconds,
        snapshot_seconds=timing.snapshot_seconds,
        other_files=len(run.loads) - len(ours),
        hooks_seconds=timing.hooks_seconds,
    )


# ---- c360 ingest -----------------------------------------------------------------------------------


@dataclass
class IngestReport:
    landed: list[tuple[Path, str]] = field(default_factory=list)  # (local file, object key), in order
    files: list[FileLoad | None] = field(default_factory=list)  # per landed file; None = still queued
    other_files: list[FileLoad] = field(default_factory=list)  # loaded by the same pipe run
    not_landed: list[Path] = field(default_factory=list)  # given files left out after a landing failure
    queued: list[str] = field(default_factory=list)  # keys queued again because their event was lost
    redriven: int = 0
    failures: list[str] = field(default_factory=list)
    rejected_messages: list[str] = field(default_factory=list)  # queue messages that are not S3 events
    gold_at: datetime | None = None
    refresh_seconds: float = 0.0


def ingest_key(path: Path, at: datetime) -> str:
    """Where `c360 ingest` lands a local file: the streaming prefix, partitioned by the landing hour."""
    return f"{names.STREAMING_PREFIX}{at:%Y/%m/%d/%H}/{path.name}"


def distinct_key(key: str, checksum: str, used: dict[str, str]) -> str:
    """`key`, or `key` with a short content hash before the extension when this call already landed
    different content under it (two files with the same name from different folders): the second would
    otherwise replace the first before the pipe read it. The same content keeps the key (a duplicate)."""
    if used.get(key, checksum) == checksum:
        used[key] = checksum
        return key
    folder, _, name = key.rpartition("/")
    stem, dot, suffix = name.partition(".")
    unique = f"{folder}/{stem}-{checksum[:12]}{dot}{suffix}"
    used[unique] = checksum
    return unique


def ingest(
    settings: Settings,
    paths: Sequence[Path],
    *,
    redrive: bool = False,
    refresh_gold: GoldRefresh | None = None,
    pipe_options: PipeOptions | None = None,
    clock: Callable[[], datetime] = datetime.now,
) -> IngestReport:
    """Land the given files (any number), optionally re-drive dead letters, run the pipe once (it drains
    the whole queue), refresh gold and publish. Problems are reported, never raised, once anything landed."""
    unreadable = [str(p) for p in paths if not p.is_file() or not os.access(p, os.R_OK)]
    if unreadable:
        raise SettingsError(f"not a readable file: {', '.join(unreadable)}")
    report = IngestReport()
    streamer = Streamer(settings, refresh_gold, pipe_options or PipeOptions(), clock)
    try:
        if redrive:
            report.redriven = streamer.queue.redrive()
        _land(streamer, paths, clock, report)
        run = streamer.pipe()
        report.queued = list(run.requeued)
        report.failures.extend(run.failures)
        report.rejected_messages = list(run.poison_messages)
        pending = list(run.loads)
        for _, key in report.landed:
            match = next((load for load in pending if load.file_name == key), None)
            if match is not None:
                pending.remove(match)
            report.files.append(match)
        report.other_files = pending
        if run.stopped is not None:
            report.failures.append(
                "the landed files that were not loaded: their events stay queued and the next pipe run "
                "(`c360 ingest --rescan` or a running `c360 stream`) loads them"
                + full_disk_note(settings, run.stopped)
            )
            streamer.alert_after_failure()
            return report
        try:
            timing = streamer.publish()
            report.gold_at, report.refresh_seconds = timing.visible_at, timing.refresh_seconds
        except C360Error as exc:
            brief = _brief(exc)
            seen_since = streamer.published_before_failure()
            if seen_since is not None:
                report.failures.append(
                    f"gold was refreshed and readers see it since {seen_since:%H:%M:%S}, but the run's "
                    f"bookkeeping after it failed ({brief}); the files stay unstamped and the next run "
                    f"stamps them{full_disk_note(settings, brief)}"
                )
            else:
                report.failures.append(
                    f"gold was not refreshed or published ({brief}); the loaded rows are committed in bronze, "
                    f"readers keep the previous snapshot and the next run refreshes gold"
                    f"{full_disk_note(settings, brief)}"
                )
            streamer.alert_after_failure()
    finally:
        streamer.finish()
    return report


def _land(
    streamer: Streamer, paths: Sequence[Path], clock: Callable[[], datetime], report: IngestReport
) -> None:
    """Put each file in the object store (its event is queued at once); stop at the first failure."""
    used: dict[str, str] = {}
    for index, path in enumerate(paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.failures.append(f"{path} was not landed: cannot read it ({exc.strerror or exc})")
            report.not_landed = list(paths[index:])
            return
        key = distinct_key(ingest_key(path, clock()), hashlib.sha256(data).hexdigest(), used)
        try:
            streamer.store.put_bytes(key, data)
        except ObjectStoreError as exc:
            report.failures.append(f"{path} was not landed: {exc}")
            report.not_landed = list(paths[index:])
            return
        except C360Error as exc:  # stored, but its event could not be queued: the next run queues it
            report.failures.append(f"{path} was landed but its event was not queued ({exc})")
        report.landed.append((path, key))


def _brief(exc: BaseException, limit: int = 400) -> str:
    """An error on one line, cut to `limit` characters (dbt's messages carry whole tracebacks)."""
    text = " ".join(str(exc).split()).split(" Traceback (most recent call last)")[0]
    for marker in FULL_DISK_MARKERS:
        if marker in text and marker not in text[:limit]:
            text = f"{marker}: {text}"
            break
    return text if len(text) <= limit else text[: limit - 3] + "..."


# what DuckDB and the OS ("No space left on device") and SQLite ("database or disk is full") say
FULL_DISK_MARKERS = ("No space left on device", "disk is full")
NEARLY_FULL_BYTES = 1024 * 1024


def full_disk_note(settings: Settings, reason: str) -> str:
    """'; disk is full: ...' when the filesystem of $C360_HOME has (almost) no free space left and `reason`
    does not say so itself: some failures on a full disk only say 'disk I/O error' (SQLite cannot map its
    shared-memory file) or name no cause at all."""
    if any(marker in reason for marker in FULL_DISK_MARKERS):
        return ""
    try:
        free = shutil.disk_usage(settings.home).free
    except OSError:
        return ""
    if free >= NEARLY_FULL_BYTES:
        return ""
    return f"; disk is full: the filesystem of {settings.home} has {free:,} bytes free"


def landed_objects(store: ObjectStore, prefix: str) -> list[tuple[str, datetime]]:
    """(key, landed at as naive local time) of every object under prefix (the stream clock's input)."""
    return [(key, _naive(modified)) for key, _, modified in landed_files(store, prefix)]


def _naive(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment
