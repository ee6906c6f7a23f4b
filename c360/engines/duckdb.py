"""DuckDB implementation of the warehouse session, catalog `customer_analytics`.

The local warehouse is a DuckLake (c360/engines/lake.py): `open(<warehouse>/customer_analytics.sqlite)` attaches
it through an in-memory DuckDB, as a writer (holding the writer lock, c360/engines/writer_lock.py) or as a
reader (read-only, optionally pinned to one snapshot). A plain `customer_analytics.duckdb` file still opens
as before (the pipe's unit tests, and the migration of platforms built before the lake).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from c360.engines import writer_lock
from c360.engines.base import Dialect, split_statements
from c360.engines.lake import (
    CATALOG,
    CATALOG_FILE,
    CatalogCopy,
    Lake,
    apply_options,
    connection_config,
    create_catalog,
    pinned_catalog_copy,
)
from c360.errors import WarehouseError

log = logging.getLogger(__name__)
ConnectConfig = dict[str, str | bool | int | float | list[str]]  # duckdb.connect(config=...)
_WIDE_INTEGERS = frozenset({"HUGEINT", "UHUGEINT"})


@dataclass
class _SharedWriter:
    """This process's database for writing one lake; every writer session of the process (the step's,
    the build-state bookkeeping, dbt's failure record) is a connection (cursor) on it."""

    con: duckdb.DuckDBPyConnection
    sessions: int = 0


_writers: dict[Path, _SharedWriter] = {}


class DuckDBSession:
    dialect: Dialect = "duckdb"

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path | None,
        read_only: bool,
        lake: Lake | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only
        self.lake = lake
        self._close_hooks: list[Callable[[], None]] = [on_close] if on_close is not None else []
        self._in_tx = False
        self._connect_config: ConnectConfig = {}
        self._scripts_run: set[str] = set()
        self.catalog_copy: Path | None = None  # a pinned reader's private catalog (lake.pinned_catalog_copy)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        read_only: bool = False,
        memory_limit: str = "3GB",  # config.DEFAULT_DUCKDB_MEMORY_LIMIT
        threads: int = 2,
        temp_dir: Path | None = None,
        version: int | None = None,
    ) -> DuckDBSession:
        """Open the warehouse: the lake when `path` is its catalog file, else a DuckDB file.

        Readers attach read-only under the same catalog name; `version` pins a lake reader to one snapshot.
        """
        if path.name == CATALOG_FILE:
            return cls._open_lake(
                Lake.at(path),
                read_only=read_only,
                memory_limit=memory_limit,
                threads=threads,
                temp_dir=temp_dir,
                version=version,
            )
        if read_only and not path.exists():
            raise WarehouseError(f"no local warehouse at {path}: run `c360 up` first")
        config: ConnectConfig = {"memory_limit": memory_limit, "threads": str(threads)}
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
    def _open_lake(
        cls,
        lake: Lake,
        *,
        read_only: bool,
        memory_limit: str,
        threads: int,
        temp_dir: Path | None,
        version: int | None,
    ) -> DuckDBSession:
        if read_only and not lake.exists():
            raise WarehouseError(f"no local warehouse at {lake.root}: run `c360 up` first")
        config: ConnectConfig = {"memory_limit": memory_limit, "threads": str(threads)}
        if not read_only:
            config["preserve_insertion_order"] = "false"  # see open(); bulk inserts ~40% faster
            if temp_dir is not None:
                temp_dir.mkdir(parents=True, exist_ok=True)
                config["temp_directory"] = str(temp_dir)
            writer_lock.acquire(lake.lock_file)
            shared = _writers.get(lake.root.resolve())
            if shared is not None:  # this process already writes the lake: another connection to the same
                return cls._writer_cursor(lake, shared, config)  # database (no extension load or attach)
            created = create_catalog(lake)
        # a reader pinned to a snapshot reads its own copy of the catalog (lake.pinned_catalog_copy: the live
        # one, read while the writer commits, sometimes misses the snapshot's delete files)
        copy: CatalogCopy | None = pinned_catalog_copy(lake) if read_only and version is not None else None
        try:
            con = duckdb.connect(":memory:", config=config | connection_config(lake))
            try:
                con.execute(
                    lake.attach_sql(read_only=read_only, version=version, catalog=copy.path if copy else None)
                )
                if not read_only and created:
                    apply_options(con)
                con.execute(f"use {CATALOG}")
                con.execute("set enable_progress_bar = false")
            except BaseException:
                con.close()
                raise
        except duckdb.Error as exc:
            if not read_only:
                writer_lock.release(lake.lock_file)
            if copy is not None:
                copy.release()
            raise WarehouseError(f"cannot open the local warehouse {lake.root}: {_first_line(exc)}") from None
        except BaseException:
            if not read_only:
                writer_lock.release(lake.lock_file)
            if copy is not None:
                copy.release()
            raise
        if not read_only:
            shared = _SharedWriter(con)
            _writers[lake.root.resolve()] = shared
            return cls._writer_cursor(lake, shared, config)
        session = cls(con, lake.catalog, True, lake=lake, on_close=copy.release if copy else None)
        session.catalog_copy = copy.path if copy else None
        session._connect_config = config
        return session

    @classmethod
    def _writer_cursor(cls, lake: Lake, shared: _SharedWriter, config: ConnectConfig) -> DuckDBSession:
        """A writer session on this process's database for the lake: its own connection (cursor), the
        database closed with the last of them, the writer lock released with each (it is counted)."""
        try:
            con = shared.con.cursor()
            con.execute(f"use {CATALOG}")
            con.execute("set enable_progress_bar = false")
        except duckdb.Error as exc:
            writer_lock.release(lake.lock_file)
            raise WarehouseError(f"cannot open the local warehouse {lake.root}: {_first_line(exc)}") from None
        shared.sessions += 1

        def release() -> None:
            shared.sessions -= 1
            if shared.sessions == 0:
                if _writers.get(lake.root.resolve()) is shared:
                    del _writers[lake.root.resolve()]
                shared.con.close()
            writer_lock.release(lake.lock_file)

        session = cls(con, lake.catalog, False, lake=lake, on_close=release)
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

    def run_script_once(self, name: str, sql: str) -> None:
        """Run an idempotent DDL script (`create ... if not exists`, `create or replace view`) unless this
        session already ran the script of that name. On the lake every DDL statement is a catalog change
        that costs tens to hundreds of ms and makes every process reload the catalog, so the paths that run
        per streamed batch (the pipe, the alert evaluation) provision once per session, not per batch."""
        self.run_scripts_once([(name, sql)])

    def run_scripts_once(self, scripts: Sequence[tuple[str, str]]) -> None:
        """run_script_once for several (name, sql) scripts, the ones this session has not run yet in ONE
        transaction: one lake commit instead of one per statement (the pipe's provisioning at the start
        of every `c360 stream` / `c360 ingest` process: ~0.5 s instead of ~1-2 s on a busy 2-core machine,
        most of it the `create or replace view` statements). All or nothing: a failure leaves none marked."""
        pending = [(name, sql) for name, sql in scripts if name not in self._scripts_run]
        if not pending:
            return
        try:
            with self.transaction():
                for _, sql in pending:
                    self.run_script(sql)
        except duckdb.Error as exc:  # the commit (e.g. a full disk): an error, never a driver traceback
            raise WarehouseError(f"{type(exc).__name__}: {exc}") from exc
        self._scripts_run.update(name for name, _ in pending)

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        try:
            result = self.con.execute(sql, list(params))
            wide_integers = [str(d[0]) for d in result.description or () if str(d[1]) in _WIDE_INTEGERS]
            frame = result.df()
        except duckdb.Error as exc:
            raise WarehouseError(f"{type(exc).__name__}: {exc}") from exc
        for column in wide_integers:
            # pandas has no 128-bit integer: DuckDB hands sum() of integers (HUGEINT) over as float64, so
            # a count printed as 292.0; whole values that fit 64 bits become int64 like count(*)
            values = frame[column]
            if values.notna().all() and values.abs().max() < 2**53:
                frame[column] = values.astype("int64")
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
        the same settings afterwards, so callers keep using this object. A lake takes several connections
        at once (the writer lock stays with this process), so there is nothing to release.
        """
        if self.read_only or self.path is None or self.lake is not None:
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
        """Flush a DuckDB file's write-ahead log. A lake commit is already durable (and CHECKPOINT on a lake
        would run the whole maintenance, which is c360/engines/maintenance.py's job)."""
        if not self.read_only and self.lake is None:
            self.con.execute("checkpoint")

    def add_close_hook(self, hook: Callable[[], None]) -> None:
        """Run `hook` once when the session closes (e.g. release a reader's lease)."""
        self._close_hooks.append(hook)

    def close(self) -> None:
        self.con.close()
        hooks, self._close_hooks = self._close_hooks, []
        for hook in hooks:
            hook()

    def __enter__(self) -> DuckDBSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _sql_path(path: Path) -> str:
    """A path as a SQL string literal body (ATTACH takes no bound parameters)."""
    return str(path).replace("'", "''")
