"""Warehouse sessions: DuckDB locally, Snowflake in production, one protocol."""

from __future__ import annotations

from c360.config import Settings, Target
from c360.engines.base import WarehouseSession


def open_session(settings: Settings, *, read_only: bool = False) -> WarehouseSession:
    """Open a writer (or read-only) session on the settings' target warehouse."""
    if settings.target is Target.snowflake:
        from c360.engines.snowflake import SnowflakeSession

        assert settings.snowflake is not None
        return SnowflakeSession.connect(settings.snowflake)
    from c360.engines.duckdb import DuckDBSession

    if not read_only:
        from c360.engines.migration import migrate_single_file, needs_migration

        if needs_migration(settings):
            migrate_single_file(settings)
    return DuckDBSession.open(
        settings.warehouse_path,
        read_only=read_only,
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        temp_dir=settings.tmp_dir,
    )


__all__ = ["WarehouseSession", "open_session"]
