"""DuckDB implementation of the warehouse session: one file under C360_HOME, catalog `customer_analytics`."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from c360.engines.base import Dialect, split_statements
from c360.errors import WarehouseError

log = logging.getLogger(__name__)

CATALOG = "customer_analytics"


class DuckDBSession:
    dialect: Dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only
        self._in_tx = False
        self._connect_config: dict[str, str] = {}

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        read_only: bool = False,
        memory_limit: str = "2GB",
        threads: int = 2,
        temp_dir: Path | None = None,
    ) -> DuckDBSession:
        """Open the warehouse file. Readers attach it read-only under the same catalog name."""
        if read_only and not path.exists():
            raise WarehouseError(f"no local warehouse at {path}: run `c360 up` first")
        config: dict[str, str] = {"memory_limit": memory_limit, "threads": str(threads)}
        if not read_only:
            # Bulk inserts run ~40% faster without order preservation; nothing relies on physical order
            # (every read that needs an order says ORDER BY).
            config["preserve_insertion_order"] = "false"
        if temp_dir is not None and not read_only:
            temp_dir.mkdir(parents=True, exist_ok=True)
            config["temp_directory"] = str(temp_dir)
        try:
            if read_only:
                con = duckdb.connect(":memory:", config=config)
                con.execute(f"attach '{_sql_path(path)}' as {CATALOG} (read_only)")
                con.execute(f"use {CATALOG}")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                if path.stem != CATALOG:
                    raise WarehouseError(
                        f"the warehouse file must be named {CATALOG}.duckdb, got {path.name}"
                    )
                con = duckdb.connect(str(path), config=config)
        except duckdb.IOException as exc:
            raise WarehouseError(f"cannot open the local warehouse {path}: {exc}") from None
        # DuckDB prints a progress bar to stdout for queries over 2 s: it would corrupt --format json
        con.execute("set enable_progress_bar = false")
        session = cls(con, path, read_only)
        session._connect_config = config
        return session

    @classmethod
    def in_memory(cls) -> DuckDBSession:
        """An empty in-memory warehouse with the `customer_analytics` catalog (tests)."""
        con = duckdb.connect(":memory:")
        con.execute(f"attach ':memory:' as {CATALOG}")
        con.execute(f"use {CATALOG}")
        return cls(con, None, False)

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        try:
            rel = self.con.execute(sql, list(params))
            rows = rel.fetchall() if rel.description else []
        except duckdb.Error as exc:
            raise WarehouseError(f"{type(exc).__name__}: {exc}") from exc
        if rows and rel.description and rel.description[0][0].lower() == "count" and len(rows) == 1:
            return int(rows[0][0])
        return -1

    def run_script(self, sql: str) -> None:
        for stmt in split_statements(sql):
            self.execute(stmt)

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        try:
            frame = self.con.execute(sql, list(params)).df()
        except duckdb.Error as exc:
            raise WarehouseError(f"{type(exc).__name__}: {exc}") from exc
        frame.columns = [str(c).lower() for c in frame.columns]
        return frame

    def scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        try:
            row = self.con.execute(sql, list(params)).fetchone()
        except duckdb.Error as exc:
            raise WarehouseError(f"{type(exc).__name__}: {exc}") from exc
        return None if row is None else row[0]

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        if frame.empty:
            return 0
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        self.con.register("_c360_frame", frame)
        try:
            self.con.execute(f"insert into {table} ({cols}) select {cols} from _c360_frame")
        except duckdb.Error as exc:
            raise WarehouseError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self.con.unregister("_c360_frame")
        return len(frame)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_tx:
            yield
            return
        self.con.execute("begin transaction")
        self._in_tx = True
        try:
            yield
        except BaseException:
            self.con.execute("rollback")
            raise
        else:
            self.con.execute("commit")
        finally:
            self._in_tx = False

    def table_exists(self, schema: str, table: str) -> bool:
        found = self.scalar(
            "select count(*) from information_schema.tables "
            "where table_catalog = ? and lower(table_schema) = lower(?) and lower(table_name) = lower(?)",
            [CATALOG, schema, table],
        )
        return bool(found)

    @contextmanager
    def released(self) -> Iterator[None]:
        """Close the file for the duration of the block so another process (dbt) can write it.

        DuckDB allows one writer per file; the session checkpoints, closes, and reopens the same file with
        the same settings afterwards, so callers keep using this object.
        """
        if self.read_only or self.path is None:
            yield
            return
        if self._in_tx:
            raise WarehouseError("cannot release the warehouse inside a transaction")
        self.con.execute("checkpoint")
        self.con.close()
        try:
            yield
        finally:
            try:
                self.con = duckdb.connect(str(self.path), config=self._connect_config)
            except duckdb.IOException as exc:
                raise WarehouseError(f"cannot reopen the local warehouse {self.path}: {exc}") from None

    def checkpoint(self) -> None:
        if not self.read_only:
            self.con.execute("checkpoint")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> DuckDBSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sql_path(path: Path) -> str:
    """A path as a SQL string literal body (ATTACH takes no bound parameters)."""
    return str(path).replace("'", "''")
