"""Compaction and retention of the local warehouse (DuckLake), so thousands of batches leave neither
thousands of tiny files nor every old version on disk.

`maintain(session, published=...)` runs, as the writer, in this order (DuckLake's own CHECKPOINT order,
ducklake.select/docs/stable/duckdb/maintenance/checkpoint):
1. flush inlined rows (small inserts kept in the catalog) into Parquet;
2. expire every snapshot older than the published one that no reader holds a lease on (readers pin the
   published snapshot; c360/snapshots.py), so the versions nobody can see any more release their files;
3. merge adjacent small files of a table into files near the target size (time travel preserved); the
   stream's routine compaction (`small_files_below`) merges only files below that size and leaves the
   big ones alone (see StreamMaintenance);
4. rewrite files most of whose rows were deleted (the incremental models' delete+insert leave these);
5. delete the files scheduled for deletion: at once when no reader is open, otherwise only those scheduled
   longer ago than `grace` (a reader's query in flight may still be scanning one);
6. delete orphaned files (left by a writer that crashed between writing a file and committing) older than
   `grace` (a file being written right now is never older than that).
Per-query overhead matters here too: DuckLake with a SQLite catalog reads the live file list on every
query, so fewer files and fewer retained versions also keep readers and the stream fast.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from time import perf_counter

from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.engines.lake import CATALOG, Lake, remove_orphaned_catalog_copies, sql_string
from c360.errors import C360Error, WarehouseError
from c360.values import as_int

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(minutes=2)  # longer than any reader query (the guard's timeout is 60 s)
# The stream's routine compaction merges only files smaller than this: the batches' small files, and the
# file they were merged into last time while it is still below it, so it rewrites at most this much per
# table (the whole routine compaction added 2-3 s of CPU to its cycle at 50,000 customers, measured). A
# full compaction merges every file below DuckLake's target size (512 MB by default): it rewrote the full
# build's 200-450 MB files of the 13M-row tables together with a few hundred rows of new batches (31-36 s
# of CPU, 18-125 s of wall time under load, measured).
SMALL_FILE_BYTES = 16 * 2**20
LEASE_SUFFIX = ".lease"


@dataclass(frozen=True)
class MaintenanceReport:
    seconds: float
    snapshots_expired: int
    snapshots_kept: int
    files_before: int
    files_after: int
    files_deleted: int
    bytes_before: int
    bytes_after: int
    readers_open: int

    def as_dict(self) -> dict[str, object]:
        return {
            "seconds": round(self.seconds, 3),
            "snapshots_expired": self.snapshots_expired,
            "snapshots_kept": self.snapshots_kept,
            "files_before": self.files_before,
            "files_after": self.files_after,
            "files_deleted": self.files_deleted,
            "bytes_before": self.bytes_before,
            "bytes_after": self.bytes_after,
            "readers_open": self.readers_open,
        }


def maintain(
    session: DuckDBSession,
    *,
    published: int | None,
    grace: timedelta = DEFAULT_GRACE,
    compact: bool = True,
    small_files_below: int | None = None,
) -> MaintenanceReport:
    """Compact and expire as described in the module docstring; the caller holds the writer lock.

    `small_files_below` (bytes) limits the merge of adjacent files to files smaller than that: files at
    or above it are neither rewritten nor merged with others. None merges every file below DuckLake's
    target file size (`c360 maintain`, `c360 up`)."""
    if small_files_below is not None and small_files_below <= 0:
        raise WarehouseError(f"small_files_below must be a positive number of bytes, not {small_files_below}")
    lake = _lake_of(session)
    began = perf_counter()
    files_before, bytes_before = data_files(lake)
    leased = held_leases(lake)
    remove_orphaned_catalog_copies(lake)  # of readers that died without closing
    if compact:
        session.execute(f"call ducklake_flush_inlined_data('{CATALOG}')")
    expired = 0
    if published is not None:
        candidates = [
            int(v)
            for v in session.query(
                f"select snapshot_id from {CATALOG}.snapshots() where snapshot_id < ? order by 1", [published]
            )["snapshot_id"]
        ]
        versions = [v for v in candidates if v not in leased]
        if versions:
            session.execute(
                f"call ducklake_expire_snapshots('{CATALOG}', versions => ?::ubigint[])", [versions]
            )
            expired = len(versions)
    if compact:
        if small_files_below is None:
            session.execute(f"call ducklake_merge_adjacent_files('{CATALOG}')")
        else:
            session.execute(
                f"call ducklake_merge_adjacent_files('{CATALOG}', max_file_size => ?::ubigint)",
                [small_files_below],
            )
        session.execute(f"call ducklake_rewrite_data_files('{CATALOG}', delete_threshold => 0.5)")
    if leased:
        session.execute(
            f"call ducklake_cleanup_old_files('{CATALOG}', older_than => now() - ?::interval)",
            [f"{int(grace.total_seconds())} seconds"],
        )
    else:
        session.execute(f"call ducklake_cleanup_old_files('{CATALOG}', cleanup_all => true)")
    session.execute(
        f"call ducklake_delete_orphaned_files('{CATALOG}', older_than => now() - ?::interval)",
        [f"{int(grace.total_seconds())} seconds"],
    )
    files_after, bytes_after = data_files(lake)
    kept = as_int(session.scalar(f"select count(*) from {CATALOG}.snapshots()") or 0)
    report = MaintenanceReport(
        seconds=perf_counter() - began,
        snapshots_expired=expired,
        snapshots_kept=kept,
        files_before=files_before,
        files_after=files_after,
        files_deleted=max(files_before - files_after, 0),
        bytes_before=bytes_before,
        bytes_after=bytes_after,
        readers_open=len(leased),
    )
    log.info(
        "warehouse maintenance: %d snapshot(s) expired, %d kept; files %d -> %d (%.0f -> %.0f MB) in %.2f s",
        expired,
        kept,
        files_before,
        files_after,
        bytes_before / 2**20,
        bytes_after / 2**20,
        report.seconds,
    )
    return report


@dataclass
class StreamMaintenance:
    """Maintenance between streamed batches (after a publish, outside the landing -> gold path): every
    batch expires the versions readers no longer see and deletes their files (cheap, and it keeps the
    catalog DuckLake reads on every statement small) and rewrites the `tables_per_batch` tables that
    carry the most delete files, once they carry `rewrite_at` or more (rewrite_deleted); every
    `compact_every` batches it also merges the lake's small files (those below `small_file_bytes`: the
    batches' appends), leaving the big files of the full build alone, so a long stream neither piles up
    small files nor stalls on rewriting the 13M-row tables. The full compaction is `c360 maintain`'s
    and `c360 up`'s."""

    compact_every: int = 25
    rewrite_at: int = 4
    tables_per_batch: int = 2
    small_file_bytes: int = SMALL_FILE_BYTES
    batches: int = 0

    def after_publish(self, session: DuckDBSession, published: int) -> MaintenanceReport | None:
        """Never fails the batch: a maintenance error is logged and retried after the next one."""
        if session.lake is None:
            return None
        self.batches += 1
        try:
            report = maintain(
                session,
                published=published,
                compact=self.batches % self.compact_every == 0,
                small_files_below=self.small_file_bytes,
            )
            rewrite_deleted(session, at_least=self.rewrite_at, limit=self.tables_per_batch)
            return report
        except C360Error as exc:
            log.warning("warehouse maintenance after a streamed batch failed (retried later): %s", exc)
            return None


def rewrite_deleted(session: DuckDBSession, *, at_least: int, limit: int) -> list[str]:
    """Rewrite the `limit` tables with the most delete files (at least `at_least`) without their deleted
    rows, then merge each one's files; returns the tables rewritten ("SCHEMA.table").

    Every streamed batch's delete+insert by customer leaves one more data file and one more delete file in
    each per-customer table (int_customer_*, the customer marts), and every later statement on the table
    reads all of them: at 50,000 customers a batch's `delete` from such a table took ~0.1 s of CPU on a
    freshly compacted table and ~0.5 s after 28 batches (measured), so without this the stream slows
    batch after batch until the next full compaction. maintain()'s own rewrite leaves files with fewer
    than half their rows deleted (these never get there: a batch replaces ~2 % of the customers); the
    append-only tables (bronze, stg_transactions, fct_transactions) seldom have delete files and are left
    to the small-file merge and the full compaction. The rewritten files' old versions stay until no
    published snapshot needs them (the next batch's expiry). The tables are small (one row per customer, or per customer and month), so
    a rewrite costs what the table holds (~0.5-1 s of CPU for 800,000 rows), off the latency path."""
    if limit <= 0:
        return []
    metadata = f"__ducklake_metadata_{CATALOG}"
    frame = session.query(
        f"""
        select s.schema_name, t.table_name, count(*) as delete_files
        from {metadata}.ducklake_delete_file as d
        inner join {metadata}.ducklake_table as t on t.table_id = d.table_id and t.end_snapshot is null
        inner join {metadata}.ducklake_schema as s on s.schema_id = t.schema_id and s.end_snapshot is null
        where d.end_snapshot is null
        group by s.schema_name, t.table_name
        having count(*) >= ?
        order by delete_files desc, s.schema_name, t.table_name
        limit ?
        """,
        [at_least, limit],
    )
    rewritten = []
    for schema, table in zip(frame["schema_name"], frame["table_name"], strict=True):
        target = f"'{CATALOG}', {sql_string(str(table))}, schema => {sql_string(str(schema))}"
        # rows still inlined in the catalog first: DuckLake 1.5.5 fails to rewrite a table with inlined
        # rows in a DOUBLE column ("isnan(VARCHAR)"), found on OBSERVABILITY.PIPELINE_RUN_METADATA
        session.execute(
            f"call ducklake_flush_inlined_data('{CATALOG}', table_name => {sql_string(str(table))}, "
            f"schema_name => {sql_string(str(schema))})"
        )
        session.execute(f"call ducklake_rewrite_data_files({target}, delete_threshold => 0)")
        session.execute(f"call ducklake_merge_adjacent_files({target})")
        rewritten.append(f"{schema}.{table}")
    if rewritten:
        log.info("rewrote %s without their deleted rows", ", ".join(rewritten))
    return rewritten


def run_maintenance(settings: Settings, *, compact: bool = True) -> MaintenanceReport:
    """`c360 maintain`: as the writer (a busy warehouse raises WarehouseError), relative to the published
    snapshot; publishes nothing itself (what readers see does not change)."""
    from c360.engines import open_session
    from c360.snapshots import published

    session = open_session(settings)
    try:
        if not isinstance(session, DuckDBSession) or session.lake is None:
            raise WarehouseError("`c360 maintain` works on the local warehouse only")
        publication = published(settings)
        return maintain(
            session, published=None if publication is None else publication.snapshot_id, compact=compact
        )
    finally:
        session.close()


def data_files(lake: Lake) -> tuple[int, int]:
    """(files, bytes) under the lake's data path: what the data folder holds on disk right now."""
    count = size = 0
    if lake.data.is_dir():
        for path in lake.data.rglob("*"):
            if path.is_file():
                count += 1
                size += path.stat().st_size
    return count, size


# ---- reader leases ----------------------------------------------------------------------------------


def lease_path(lake: Lake, version: int) -> Path:
    return lake.leases / f"{int(version)}{LEASE_SUFFIX}"


def take_lease(lake: Lake, version: int) -> int:
    """A shared lock on the version's lease file, held while a reader is pinned to it; returns the fd."""
    lake.leases.mkdir(parents=True, exist_ok=True)
    path = lease_path(lake, version)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_SH)
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # maintenance removed the (then stale) file while we waited: lease a fresh one


def drop_lease(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def held_leases(lake: Lake) -> set[int]:
    """Versions some reader is pinned to; stale lease files (no holder) are removed on the way."""
    held: set[int] = set()
    if not lake.leases.is_dir():
        return held
    for path in lake.leases.glob(f"*{LEASE_SUFFIX}"):
        try:
            version = int(path.name.removesuffix(LEASE_SUFFIX))
        except ValueError:
            continue
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held.add(version)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        finally:
            os.close(fd)
    return held


def _lake_of(session: DuckDBSession) -> Lake:
    if session.lake is None or session.read_only:
        raise WarehouseError("warehouse maintenance needs a writer session on the local lake")
    return session.lake
