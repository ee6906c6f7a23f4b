"""Where the local warehouse lives: a DuckLake (catalog in SQLite, table data as Parquet files).

Layout under `$C360_HOME/warehouse/`:
    customer_analytics.sqlite   the DuckLake catalog (SQLite in WAL mode: readers never block the writer)
    data/<SCHEMA>/<table>/*.parquet   table data, written once, never modified in place
    published.json              the snapshot readers see (c360/snapshots.py)
    .writer.lock                held by the one c360 process that writes (c360/engines/writer_lock.py)
    readers/<snapshot>.lease    held (shared) by each reader pinned to that snapshot
    readers/*.catalog.sqlite    each open reader's private copy of the catalog (see pinned_catalog_copy)
    .extensions/                the ducklake + sqlite DuckDB extensions, linked from their PyPI packages

Every process (c360, dbt, readers) attaches the same catalog under the name `customer_analytics`, so
`CUSTOMER_ANALYTICS.GOLD.X` resolves on DuckDB as it does on Snowflake. A commit is one DuckLake snapshot;
readers attach a *published* snapshot (SNAPSHOT_VERSION), so they see a writer's whole batch or none of it.
DuckLake docs: ducklake.select/docs/stable/duckdb/usage/connecting (ATTACH options),
.../usage/choosing_a_catalog_database (SQLite for several local processes), .../usage/time_travel.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from c360.errors import WarehouseError

CATALOG = "customer_analytics"
CATALOG_FILE = f"{CATALOG}.sqlite"
# The PyPI packages ship the binaries DuckDB would otherwise download; the sqlite one is named after the
# extension's alias, while DuckDB derives the entry point from the file name (sqlite_scanner).
EXTENSIONS = {
    "ducklake": ("duckdb_extension_ducklake", "ducklake"),
    "sqlite_scanner": ("duckdb_extension_sqlite", "sqlite"),
}


@dataclass(frozen=True)
class Lake:
    """The files of one local warehouse."""

    root: Path

    @classmethod
    def at(cls, catalog: Path) -> Lake:
        return cls(catalog.parent)

    @property
    def catalog(self) -> Path:
        return self.root / CATALOG_FILE

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def publication(self) -> Path:
        return self.root / "published.json"

    @property
    def lock_file(self) -> Path:
        return self.root / ".writer.lock"

    @property
    def leases(self) -> Path:
        return self.root / "readers"

    @property
    def extensions(self) -> Path:
        return self.root / ".extensions"

    def exists(self) -> bool:
        return self.catalog.is_file()

    def catalog_files(self) -> list[Path]:
        """The catalog and its SQLite companions (write-ahead log, shared memory, rollback journal)."""
        return [
            self.catalog.with_name(self.catalog.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")
        ]

    def attach_sql(
        self, *, read_only: bool = False, version: int | None = None, catalog: Path | None = None
    ) -> str:
        # The data path is stored in the catalog when the lake is created; file paths are relative to it.
        # Giving it (and overriding the stored one) on every attach keeps a copied or moved home reading and
        # writing its own folder.
        options = [f"DATA_PATH {sql_string(str(self.data) + '/')}", "OVERRIDE_DATA_PATH true"]
        if read_only or version is not None:
            options.append("READ_ONLY")
        if version is not None:
            options.append(f"SNAPSHOT_VERSION {int(version)}")
        source = self.catalog if catalog is None else catalog
        return f"attach {sql_string(f'ducklake:sqlite:{source}')} as {CATALOG} ({', '.join(options)})"


READER_CATALOG_SUFFIX = ".catalog.sqlite"


@dataclass(frozen=True)
class CatalogCopy:
    """A reader's private copy of the catalog and the open file holding its shared lock (see below)."""

    path: Path
    fd: int

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.path.unlink(missing_ok=True)


def pinned_catalog_copy(lake: Lake) -> CatalogCopy:
    """A consistent private copy of the catalog (SQLite's online backup) for a reader pinned to a snapshot.

    Why: a pinned reader that reads the live catalog while the writer commits sometimes sees a table without
    the delete files its snapshot includes — rows a delete+insert replaced reappear next to their
    replacements (measured: 1,112 profile rows for 1,000 customers in 2–4 of ~400 reads during three
    streamed batches; 0 of ~1,000 with a copy, tests/integration/test_streaming_gold.py). The pinned
    snapshot's rows in the catalog never change afterwards (maintenance keeps what a lease holds), so a
    copy taken once answers every later query the same way. The catalog is small (~1 MB at 150,000
    customers): the copy costs milliseconds, not the warehouse. The reader holds a shared lock on it while
    open; `remove_orphaned_catalog_copies` deletes the copies of readers that died without closing."""
    lake.leases.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{os.getpid()}-", suffix=READER_CATALOG_SUFFIX, dir=lake.leases)
    fcntl.flock(fd, fcntl.LOCK_SH)
    copy = CatalogCopy(Path(name), fd)
    try:
        copy_catalog(lake.catalog, copy.path)
    except BaseException:
        copy.release()
        raise
    return copy


# Run by a child Python: it reads the catalog with the interpreter's own SQLite (see copy_catalog).
_BACKUP_SCRIPT = """
import contextlib, sqlite3, sys
source, target = sys.argv[1:3]
try:
    with contextlib.closing(sqlite3.connect(source, uri=True)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("pragma journal_mode = delete")
except sqlite3.Error as exc:
    sys.exit(str(exc))
"""
COPY_TIMEOUT_S = 120


def copy_catalog(catalog: Path, target: Path) -> None:
    """A consistent copy of the live catalog (SQLite's online backup, read-only on the source) at `target`,
    in journal mode `delete` (one file: nothing beside it to allow or clean).

    Why a child process: DuckDB's sqlite extension links its own copy of SQLite, and this process may hold
    the live catalog open through it (a writer, an unpinned reader, a test doing both). A second SQLite
    library in the same process breaks the catalog's locking (sqlite.org/howtocorrupt.html, 2.2 and 2.1):
    POSIX locks belong to the process, so the second library takes the WAL index's exclusive lock beside the
    first one's shared lock, truncates the memory-mapped `-shm` file under it (the process dies of SIGBUS)
    and its close() drops the first library's locks. Measured: a Python-sqlite3 backup looped beside a
    DuckLake writer in one process died of SIGBUS within 20 s; in a child process, none did. The copy costs
    one short-lived interpreter (tens of milliseconds), paid once per reader."""
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                _BACKUP_SCRIPT,
                f"{catalog.resolve().as_uri()}?mode=ro",
                str(target),
            ],
            capture_output=True,
            text=True,
            timeout=COPY_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise WarehouseError(f"cannot copy the warehouse catalog {catalog}: {exc}") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise WarehouseError(f"cannot copy the warehouse catalog {catalog}: {reason}")


def remove_orphaned_catalog_copies(lake: Lake) -> int:
    """Delete the catalog copies no open reader holds (their reader died without closing); returns how many."""
    removed = 0
    if not lake.leases.is_dir():
        return removed
    for path in lake.leases.glob(f"*{READER_CATALOG_SUFFIX}"):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # an open reader's
        else:
            path.unlink(missing_ok=True)
            removed += 1
        finally:
            os.close(fd)
    return removed


def connection_config(lake: Lake) -> dict[str, str]:
    """DuckDB settings every connection to the lake needs: the bundled extensions, never a download.

    DuckDB checks an extension's signature every time a database loads it (0.2-0.5 s for these two here);
    c360 has it check each binary once (`_verify`) and remembers the file it checked, so later databases
    load that same file without the check. A changed file is checked again before it is trusted.
    """
    directory = extension_directory(lake)
    return {
        "extension_directory": str(directory),
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "true",
        "allow_unsigned_extensions": "true" if _verified(directory) else "false",
    }


def extension_directory(lake: Lake) -> Path:
    """A DuckDB extension directory holding links to the extension binaries of the installed packages."""
    folder = _platform_folder(lake.extensions)
    for name, (package, stem) in EXTENSIONS.items():
        link = folder / f"{name}.duckdb_extension"
        if link.exists():
            continue
        source = _packaged_extension(package, stem)
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process linked it first
            link.symlink_to(source)
    return lake.extensions


VERIFIED_FILE = "verified.json"


def _verified(directory: Path) -> bool:
    """True when every linked binary is the very file a signature check passed on (path, size, mtime)."""
    record = directory / VERIFIED_FILE
    current = _fingerprints(directory)
    try:
        if json.loads(record.read_text()) == current:
            return True
    except (OSError, ValueError):
        pass
    _verify(directory)  # raises when a signature does not check out
    tmp = record.with_name(record.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(current, sort_keys=True))
    tmp.replace(record)
    return True


def _verify(directory: Path) -> None:
    con = duckdb.connect(
        ":memory:", config={"extension_directory": str(directory), "allow_unsigned_extensions": "false"}
    )
    try:
        for name in EXTENSIONS:
            con.execute(f"load {name}")
    except duckdb.Error as exc:
        raise WarehouseError(f"a DuckDB extension in {directory} failed its signature check: {exc}") from None
    finally:
        con.close()


def _fingerprints(directory: Path) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for link in sorted(_platform_folder(directory).glob("*.duckdb_extension")):
        target = link.resolve()
        info = target.stat()
        out[link.name] = [str(target), info.st_size, info.st_mtime_ns]
    return out


def _platform_folder(extensions: Path) -> Path:
    platform = duckdb.execute("pragma platform").fetchone()
    return extensions / f"v{duckdb.__version__}" / str(platform[0] if platform else "unknown")


def create_catalog(lake: Lake) -> bool:
    """An empty SQLite catalog in WAL mode (persistent in the file): readers and the writer never block each
    other on it (sqlite.org/wal.html). DuckLake fills in its tables on the first attach. True if created."""
    lake.root.mkdir(parents=True, exist_ok=True)
    lake.data.mkdir(parents=True, exist_ok=True)
    if lake.catalog.exists():
        return False
    with contextlib.closing(sqlite3.connect(lake.catalog)) as con:
        mode = con.execute("pragma journal_mode = wal").fetchone()
    if not mode or str(mode[0]).lower() != "wal":
        raise WarehouseError(f"the warehouse catalog {lake.catalog} cannot use SQLite's WAL mode")
    return True


# Lake-wide options, stored in the catalog when the lake is created (ducklake.select/docs/stable/duckdb/usage/
# configuration). zstd level 1 makes Parquet files about 45 % smaller than the default snappy and is as fast
# to write (measured on fct_transactions, 13.2M rows: 706 MB snappy, 399 MB zstd-1 in 0.8x the time).
LAKE_OPTIONS: dict[str, object] = {"parquet_compression": "zstd", "parquet_compression_level": 1}


def apply_options(con: duckdb.DuckDBPyConnection) -> None:
    for name, value in LAKE_OPTIONS.items():
        con.execute(f"call {CATALOG}.set_option(?, ?)", [name, value])


def _packaged_extension(package: str, stem: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise WarehouseError(
            f"the DuckDB extension package {package.replace('_', '-')} is not installed: run `make install`"
        )
    base = Path(next(iter(spec.submodule_search_locations)))
    binary = base / "extensions" / f"v{duckdb.__version__}" / f"{stem}.duckdb_extension"
    if not binary.is_file():
        raise WarehouseError(
            f"{package.replace('_', '-')} has no build for DuckDB {duckdb.__version__} ({binary} is missing): "
            "the extension packages must match DuckDB's version exactly"
        )
    return binary


def sql_string(text: str) -> str:
    """A value as a quoted SQL string literal, for statements that take no bound parameters (ATTACH,
    SET, DuckLake's maintenance calls)."""
    return "'" + text.replace("'", "''") + "'"
