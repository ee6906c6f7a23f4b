"""Step 7 (local): publish the run's result to readers, then compact files and drop versions nobody reads.

On the local target the run's whole result becomes visible to readers here (c360/snapshots.py); the
lake's maintenance (c360/engines/maintenance.py) then merges small files, rewrites files with many deleted
rows, expires the snapshots before the published one that no reader holds, and deletes the files only
those needed. `c360 maintain` runs the same maintenance on demand. On Snowflake the platform manages its
own storage (micro-partitions, Time Travel retention): nothing to do.
"""

from __future__ import annotations

from time import perf_counter

from c360.config import Target
from c360.engines.duckdb import DuckDBSession
from c360.errors import WarehouseError
from c360.steps.context import StepContext, StepResult

STEP = "maintenance"


def run(ctx: StepContext) -> StepResult:
    began = perf_counter()
    if ctx.settings.target is not Target.local:
        ctx.progress(STEP, 1, 1, "Snowflake manages its own storage, skipped")
        return StepResult(STEP, "skipped", perf_counter() - began)
    from c360.engines.maintenance import maintain
    from c360.snapshots import publish_snapshot

    if not isinstance(ctx.session, DuckDBSession) or ctx.session.lake is None:
        raise WarehouseError("the maintenance step needs the local lake's writer session")
    ctx.progress(STEP, 0, 2, "publishing to readers")
    publication = publish_snapshot(ctx.settings, ctx.session)
    ctx.progress(STEP, 1, 2, "compacting files, expiring old versions")
    report = maintain(ctx.session, published=publication.snapshot_id)
    ctx.progress(
        STEP,
        2,
        2,
        f"{report.snapshots_expired} old version(s) expired, {report.files_before} -> {report.files_after} files",
    )
    return StepResult(
        STEP,
        "ran",
        perf_counter() - began,
        report.files_deleted,
        {"published_snapshot": publication.snapshot_id, **report.as_dict()},
    )
