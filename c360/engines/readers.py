"""Read-only sessions for the app, the assistant and `c360 sql`.

DuckDB allows one writer per file, so readers never open the live warehouse while a writer may hold it:
they attach the latest published read-only snapshot (see c360/snapshots.py) when one exists.
"""

from __future__ import annotations

from c360.config import Settings, Target
from c360.engines.base import WarehouseSession


def open_reader(settings: Settings) -> WarehouseSession:
    if settings.target is Target.snowflake:
        from c360.engines import open_session

        return open_session(settings)
    from c360.engines.duckdb import DuckDBSession
    from c360.snapshots import latest_snapshot

    path = latest_snapshot(settings) or settings.warehouse_path
    session = DuckDBSession.open(path, read_only=True, memory_limit="1GB", threads=settings.duckdb_threads)
    session.con.execute("set enable_external_access = false")
    session.con.execute("set lock_configuration = true")
    return session
