"""Move a platform built on the single DuckDB file into the lake, once, losing nothing.

Platforms built before the lake keep everything in `$C360_HOME/customer_analytics.duckdb` (plus reader
copies under `snapshots/`). The first writer to open such a home copies every schema, table and view into
the lake (DuckDB's `COPY FROM DATABASE`; ducklake.select/docs/stable/duckdb/migrations/duckdb_to_ducklake),
publishes the result, and only then removes the old file and its copies. An interrupted migration leaves
the old file in place and an unpublished lake; the next writer starts it again from an empty lake.
"""

from __future__ import annotations

import logging
import shutil
from time import perf_counter

from c360.config import Settings
from c360.engines.lake import CATALOG, Lake
from c360.errors import WarehouseError

log = logging.getLogger(__name__)

LEGACY_ALIAS = "single_file_warehouse"


def needs_migration(settings: Settings) -> bool:
    lake = Lake.at(settings.warehouse_path)
    return settings.legacy_warehouse_path.is_file() and not lake.publication.is_file()


def migrate_single_file(settings: Settings) -> None:
    """Copy the old single-file warehouse into the lake and publish it (see the module docstring)."""
    from c360.engines.duckdb import DuckDBSession, _sql_path
    from c360.snapshots import publish_snapshot

    legacy = settings.legacy_warehouse_path
    lake = Lake.at(settings.warehouse_path)
    began = perf_counter()
    if lake.catalog.exists():  # a migration that died half-way: start again from an empty lake
        _remove_lake_files(lake)
    session = DuckDBSession.open(
        settings.warehouse_path,
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        temp_dir=settings.tmp_dir,
    )
    try:
        try:
            session.con.execute(f"attach '{_sql_path(legacy)}' as {LEGACY_ALIAS} (read_only)")
        except Exception as exc:  # duckdb.Error: a locked or damaged file
            raise WarehouseError(
                f"cannot read the single-file warehouse {legacy} to migrate it: {exc}"
            ) from None
        session.execute(f"copy from database {LEGACY_ALIAS} to {CATALOG}")
        session.execute(f"detach {LEGACY_ALIAS}")
        publish_snapshot(settings, session)
    finally:
        session.close()
    for leftover in (legacy, legacy.with_name(legacy.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(settings.snapshots_dir, ignore_errors=True)
    log.warning(
        "migrated the single-file warehouse %s into the lake %s in %.1f s",
        legacy,
        lake.root,
        perf_counter() - began,
    )


def _remove_lake_files(lake: Lake) -> None:
    for path in lake.catalog_files():
        path.unlink(missing_ok=True)
    shutil.rmtree(lake.data, ignore_errors=True)
