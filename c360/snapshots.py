"""Read-only snapshots of the local warehouse that readers open while a writer keeps working.

A snapshot is a copy of the warehouse file published atomically; `current` names the newest one.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime
from pathlib import Path

from c360.config import Settings

log = logging.getLogger(__name__)

POINTER = "current"
KEEP = 3


def latest_snapshot(settings: Settings) -> Path | None:
    pointer = settings.snapshots_dir / POINTER
    if not pointer.is_file():
        return None
    path = settings.snapshots_dir / pointer.read_text().strip()
    return path if path.is_file() else None


def publish_snapshot(settings: Settings) -> Path:
    """Copy the (checkpointed, closed) warehouse file and point readers at the copy."""
    settings.snapshots_dir.mkdir(parents=True, exist_ok=True)
    name = f"customer_analytics-{datetime.now():%Y%m%dT%H%M%S%f}.duckdb"
    target = settings.snapshots_dir / name
    tmp = target.with_suffix(".part")
    shutil.copyfile(settings.warehouse_path, tmp)
    os.replace(tmp, target)
    pointer_tmp = settings.snapshots_dir / f".{POINTER}.tmp"
    pointer_tmp.write_text(name)
    os.replace(pointer_tmp, settings.snapshots_dir / POINTER)
    _prune(settings.snapshots_dir, keep=name)
    return target


def _prune(folder: Path, keep: str) -> None:
    snapshots = sorted(folder.glob("customer_analytics-*.duckdb"))
    for old in snapshots[:-KEEP]:
        if old.name != keep:
            try:
                old.unlink()
            except OSError as exc:  # a reader may still hold it open on some platforms
                log.debug("snapshot %s not pruned: %s", old.name, exc)
