"""How much disk the local warehouse takes, and how much of that is the data itself.

`data_bytes` is what the current committed state needs (one copy of every table as stored); `total_bytes`
is everything the warehouse storage occupies (reader copies, retained old versions, files waiting for
deletion, the catalog, write-ahead logs). `c360 bench --only scale` reports both and their ratio.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from c360.config import Settings
from c360.engines.lake import Lake, copy_catalog

STORAGE = "DuckLake: SQLite catalog + Parquet files; readers pin the published snapshot (a private copy of the ~1 MB catalog, no copy of the data)"


@dataclass(frozen=True)
class StorageFootprint:
    data_bytes: int
    total_bytes: int
    parts: dict[str, int] = field(default_factory=dict)  # part name -> bytes (they sum to total_bytes)

    @property
    def ratio(self) -> float:
        return self.total_bytes / self.data_bytes if self.data_bytes else float("nan")

    def as_dict(self) -> dict[str, object]:
        return {
            "data_bytes": self.data_bytes,
            "total_bytes": self.total_bytes,
            "ratio": round(self.ratio, 3),
            "parts": dict(self.parts),
        }


def tree_bytes(path: Path) -> int:
    """Bytes allocated by a file or a folder tree (st_blocks, so sparse files count what they use)."""
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_blocks * 512
    return sum(p.lstat().st_blocks * 512 for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def storage_footprint(settings: Settings) -> StorageFootprint:
    """The lake: the data is the Parquet files the current snapshot references (plus the catalog, which
    also holds small inlined inserts); everything else under the warehouse folder is overhead: files kept
    for older snapshots or awaiting deletion, the catalog's write-ahead log, spill files."""
    lake = Lake.at(settings.warehouse_path)
    live = _live_file_bytes(lake.catalog)
    catalog = tree_bytes(lake.catalog)
    parts = {
        "catalog": catalog,
        "catalog write-ahead log": sum(tree_bytes(p) for p in lake.catalog_files()[1:]),
        "data files of the current snapshot": min(live, tree_bytes(lake.data)),
        "data files kept for older snapshots or awaiting deletion": max(tree_bytes(lake.data) - live, 0),
        "spill / temp": tree_bytes(settings.tmp_dir),
        "single-file warehouse and its copies (before the migration)": tree_bytes(
            settings.legacy_warehouse_path
        )
        + tree_bytes(settings.snapshots_dir),
    }
    return StorageFootprint(data_bytes=catalog + live, total_bytes=sum(parts.values()), parts=parts)


def _live_file_bytes(catalog: Path) -> int:
    """Bytes of the data and delete files the lake's current snapshot references (end_snapshot is null),
    read from a private copy of the catalog (lake.copy_catalog: never this process's SQLite on the live one;
    DuckLake's spec: ducklake_data_file, ducklake_delete_file)."""
    if not catalog.is_file():
        return 0
    with tempfile.TemporaryDirectory(prefix="c360-footprint-") as folder:
        copy = Path(folder) / catalog.name
        copy_catalog(catalog, copy)
        with contextlib.closing(sqlite3.connect(copy)) as con:
            total = 0
            for table in ("ducklake_data_file", "ducklake_delete_file"):
                row = con.execute(
                    f"select coalesce(sum(file_size_bytes), 0) from {table} where end_snapshot is null"
                )
                total += int(row.fetchone()[0])
    return total
