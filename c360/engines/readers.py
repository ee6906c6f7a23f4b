"""Read-only sessions for the app, the assistant, `c360 sql` and `c360 status`.

Locally a reader attaches the lake pinned to the published snapshot (c360/snapshots.py): it sees the last
complete unit of work of the writer, never a half-refreshed gold layer, and neither blocks nor waits for
the writer (DuckLake's snapshot isolation; the SQLite catalog in WAL mode). While open it holds a lease on
that snapshot, so maintenance never expires a version a reader is using. Reads are confined to the
warehouse's own files: external access is off (no other file, no ATTACH, no extension) and the settings
are locked.
"""

from __future__ import annotations

import functools

from c360.config import Settings, Target
from c360.engines.base import WarehouseSession
from c360.engines.lake import sql_string
from c360.errors import WarehouseError

# A writer's publish can land between reading the pointer and taking the lease; then pin the newer one. A
# stream publishes twice per batch, seconds apart, so a few attempts always find a quiet moment.
OPEN_ATTEMPTS = 10


def open_reader(settings: Settings) -> WarehouseSession:
    if settings.target is Target.snowflake:
        from c360.engines import open_session

        return open_session(settings)
    from c360.engines.duckdb import DuckDBSession
    from c360.engines.maintenance import drop_lease, take_lease
    from c360.snapshots import lake_of, published

    lake = lake_of(settings)
    for _ in range(OPEN_ATTEMPTS):
        publication = published(settings)
        if publication is None:
            if lake.exists():
                raise WarehouseError(
                    f"the local warehouse at {settings.home} has nothing published yet: `c360 up` publishes "
                    "it when it finishes"
                )
            raise WarehouseError(f"no local warehouse at {settings.home}: run `c360 up` first")
        lease = take_lease(lake, publication.snapshot_id)
        # The lease protects the version only from expiries decided after it exists. A writer publishes, then
        # decides what to expire (everything older than its publication that no reader leases): if the
        # pointer still names this version now, any later publication's expiry sees the lease. If it moved,
        # an expiry may already have removed this version's files from the catalog while leaving newer ones
        # (e.g. rows a later delete+insert replaced would reappear): pin the newer publication instead.
        current = published(settings)
        if current is None or current.snapshot_id != publication.snapshot_id:
            drop_lease(lease)
            continue
        try:
            session = DuckDBSession.open(
                settings.warehouse_path,
                read_only=True,
                memory_limit="1GB",
                threads=settings.duckdb_threads,
                version=publication.snapshot_id,
            )
        except WarehouseError:
            drop_lease(lease)
            raise
        session.add_close_hook(functools.partial(drop_lease, lease))
        confine(session)
        return session
    raise WarehouseError(
        f"the local warehouse at {settings.home} published {OPEN_ATTEMPTS} times while a reader was opening "
        "it; try again"
    )


def confine(session: WarehouseSession) -> None:
    """External access off, except the lake's own catalog and data; settings locked."""
    from c360.engines.duckdb import DuckDBSession

    assert isinstance(session, DuckDBSession) and session.lake is not None
    lake = session.lake
    directories = sql_string(str(lake.data) + "/")
    catalogs = lake.catalog_files() if session.catalog_copy is None else [session.catalog_copy]
    paths = ", ".join(sql_string(str(p)) for p in catalogs)
    session.con.execute(f"set allowed_directories = [{directories}]")
    session.con.execute(f"set allowed_paths = [{paths}]")
    session.con.execute("set enable_external_access = false")
    session.con.execute("set lock_configuration = true")
