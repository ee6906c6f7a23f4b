"""Read-only snapshots of the local warehouse that readers open while a writer keeps working.

A snapshot is a copy of the warehouse file published atomically; `current` names the newest one. A publish
that fails (e.g. the disk is full) or dies half-way leaves `current` on the previous snapshot and its
partial copy is removed by the next publish.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from datetime import datetime
from pathlib import Path

from c360.config import Settings
from c360.errors import WarehouseError
from c360.faults import FaultHook, no_fault

log = logging.getLogger(__name__)

POINTER = "current"
KEEP = 3


def latest_snapshot(settings: Settings) -> Path | None:
    pointer = settings.snapshots_dir / POINTER
    if not pointer.is_file():
        return None
    path = settings.snapshots_dir / pointer.read_text().strip()
    return path if path.is_file() else None


def publish_snapshot(settings: Settings, fault: FaultHook = no_fault) -> Path:
    """Copy the (checkpointed, closed) warehouse file and point readers at the copy."""
    folder = settings.snapshots_dir
    name = f"customer_analytics-{datetime.now():%Y%m%dT%H%M%S%f}.duckdb"
    target = folder / name
    tmp = target.with_suffix(".part")
    pointer_tmp = folder / f".{POINTER}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for partial in folder.glob("*.part"):  # left by a publish that died or failed
            partial.unlink(missing_ok=True)
        shutil.copyfile(settings.warehouse_path, tmp)
        os.replace(tmp, target)
        fault("publish.copied")
        pointer_tmp.write_text(name)
        os.replace(pointer_tmp, folder / POINTER)
    except OSError as exc:
        for leftover in (tmp, pointer_tmp):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise WarehouseError(
            f"publishing to readers failed ({exc.strerror or exc}); they keep the previous state"
        ) from None
    _prune(folder, keep=name)
    return target


def _prune(folder: Path, keep: str) -> None:
    snapshots = sorted(folder.glob("customer_analytics-*.duckdb"))
    for old in snapshots[:-KEEP]:
        if old.name != keep:
            try:
                old.unlink()
            except OSError as exc:  # a reader may still hold it open on some platforms
                log.debug("snapshot %s not pruned: %s", old.name, exc)
