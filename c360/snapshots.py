"""What readers see of the local warehouse: the *published* snapshot of the lake.

A writer's unit of work (a `c360 up`, one streamed batch and its gold refresh, a churn scoring) commits
many DuckLake snapshots; readers must see all of it or none of it. So the writer, still holding the writer
lock, publishes the lake's current snapshot id when the unit is complete (`publish_snapshot`), and every
reader (the app, `c360 sql`, `c360 ask`, `c360 status`) attaches the lake pinned to the published id
(`open_reader` in c360/engines/readers.py). Publishing writes a few bytes, whatever the warehouse's size.

`$C360_HOME/warehouse/published.json` = {"snapshot_id": N, "published_at": ISO time}, replaced atomically.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from c360.config import Settings
from c360.engines.base import WarehouseSession
from c360.engines.lake import CATALOG, Lake
from c360.errors import WarehouseError
from c360.faults import FaultHook, no_fault
from c360.values import as_int

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Publication:
    snapshot_id: int
    published_at: datetime


def lake_of(settings: Settings) -> Lake:
    return Lake.at(settings.warehouse_path)


def published(settings: Settings) -> Publication | None:
    """The snapshot readers see, or None before the first publish."""
    path = lake_of(settings).publication
    try:
        payload = json.loads(path.read_text())
        return Publication(int(payload["snapshot_id"]), datetime.fromisoformat(payload["published_at"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise WarehouseError(f"unreadable publication record {path}: {exc}") from None


def latest_snapshot(settings: Settings) -> Path | None:
    """The publication record (replaced on every publish; its content is the data version the app's caches
    key on), or None before the first publish."""
    path = lake_of(settings).publication
    return path if path.is_file() else None


def publish_snapshot(
    settings: Settings, session: WarehouseSession, fault: FaultHook = no_fault
) -> Publication:
    """Point readers at the lake's current snapshot. Call it with the writer session, once the unit of
    work is complete (readers then see all of it at once).

    The record is written beside the old one, then renamed over it: a publish that dies or fails (e.g. the
    disk is full) at any point leaves readers on the previous snapshot. `fault` marks the moment in between
    (`publish.staged`, c360/faults.py) for the fault-injection harness."""
    current = session.scalar(f"select id from {CATALOG}.current_snapshot()")
    if current is None:
        raise WarehouseError("the local warehouse has no snapshot to publish")
    publication = Publication(as_int(current), datetime.now())
    previous = published(settings)
    if previous is not None and previous.snapshot_id == publication.snapshot_id:
        return previous
    return _write(settings, publication, previous, fault)


def republish(settings: Settings) -> Publication:
    """Publish the published snapshot again, now: the same data under a new publication record, so readers
    reopen their session and the app's caches (keyed on the record) miss. The app benchmark measures fresh
    data this way without writing to the lake."""
    previous = published(settings)
    if previous is None:
        raise WarehouseError("nothing is published yet: build the platform with `c360 up`")
    return _write(settings, Publication(previous.snapshot_id, datetime.now()), previous, no_fault)


def _write(
    settings: Settings, publication: Publication, previous: Publication | None, fault: FaultHook
) -> Publication:
    path = lake_of(settings).publication
    staged = path.with_name(path.name + ".tmp")
    try:
        staged.write_text(
            json.dumps(
                {"snapshot_id": publication.snapshot_id, "published_at": publication.published_at.isoformat()}
            )
        )
        fault("publish.staged")
        staged.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            staged.unlink()
        kept = "nothing published yet" if previous is None else f"snapshot {previous.snapshot_id}"
        raise WarehouseError(
            f"publishing snapshot {publication.snapshot_id} to readers failed ({exc.strerror or exc}); "
            f"they keep the previous state ({kept})"
        ) from None
    log.debug("published snapshot %d", publication.snapshot_id)
    return publication
