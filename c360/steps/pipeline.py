"""The ordered lifecycle: provision -> customers -> transactions -> (dbt, churn model, semantic model)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from time import perf_counter
from types import ModuleType
from typing import TypedDict

from c360 import names
from c360.alerts.evaluation import after_writer_run
from c360.config import Settings, Target
from c360.engines import open_session
from c360.engines.base import WarehouseSession
from c360.errors import C360Error, StepError
from c360.observability import tracked_run
from c360.outputs import StackOutputs, default_schemas, write_outputs
from c360.run_failures import clear_failure, record_failure
from c360.snapshots import publish_snapshot
from c360.steps import provision
from c360.steps.context import Progress, StepContext, StepResult, no_progress
from c360.steps.order import STEPS
from c360.storage import open_store
from c360.values import as_int

log = logging.getLogger(__name__)


class SegmentShare(TypedDict):
    customers: int
    share: float


class RunSummary(TypedDict, total=False):  # empty until the run has finished
    rows: dict[str, int]  # SCHEMA.TABLE -> rows
    segment_mix: dict[str, SegmentShare]
    first_transaction: str | None
    last_transaction: str | None


@dataclass
class UpReport:
    run_id: str
    target: str
    results: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    summary: RunSummary = field(default_factory=RunSummary)


def run_all(
    settings: Settings,
    progress: Progress = no_progress,
    *,
    only: Sequence[str] | None = None,
    force: bool = False,
) -> UpReport:
    """Run every step (or `only` these) in order; idempotent; one PIPELINE_RUN_METADATA row per call."""
    unknown = sorted(set(only or ()) - {s.name for s in STEPS})
    if unknown:
        raise C360Error(
            f"unknown step(s) {', '.join(unknown)}: choose from {', '.join(s.name for s in STEPS)}"
        )
    began = perf_counter()
    store = open_store(settings)
    session = open_session(settings)
    run_id: str | None = None
    try:
        provision.provision_warehouse(session)
        with tracked_run(session, "c360_up") as record:
            run_id = record.run_id
            report = UpReport(record.run_id, settings.target.value)
            ctx = StepContext(settings, session, store, record.run_id, progress, force)
            try:
                for step in STEPS:
                    if only and step.name not in only:
                        continue
                    cpu_before = cpu_seconds()
                    try:
                        result = step.run(ctx)
                    except C360Error as exc:
                        raise StepError(step.name, str(exc)) from exc
                    result = replace(result, cpu_seconds=cpu_seconds() - cpu_before)
                    report.results.append(result)
                    record.rows_affected += result.rows if result.status == "ran" else 0
            finally:
                ctx.close()
            report.summary = summarize(session)
            report.seconds = perf_counter() - began
            record.details.update(
                {"steps": [r.step + ":" + r.status for r in report.results], "scale": _scale_dict(settings)}
            )
        write_outputs(
            settings.outputs_path,
            local_outputs(settings) if settings.target is Target.local else _snowflake_outputs(settings),
        )
        after_writer_run(settings, session)  # alerts, before readers see this run
        if settings.target is Target.local:  # readers now see this run's whole result, still under its lock
            publish_snapshot(settings, session)
    except BaseException as exc:  # an interrupted run is a failed run too (and publishes nothing)
        if run_id is not None and not isinstance(exc, KeyboardInterrupt):
            after_writer_run(settings, session)  # e.g. a failed gold model fires its alert now
        record_failure(settings, run_id, exc)
        raise
    finally:
        session.close()
    clear_failure(settings)
    return report


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished children (dbt subprocesses): on a
    shared machine the figure that load does not inflate the way it inflates wall time."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def summarize(session: WarehouseSession) -> RunSummary:
    """Rows per table, segment mix and the data's date range: what `c360 up` prints at the end."""
    counts = {}
    for table in (names.BRONZE_CUSTOMERS, names.BRONZE_TRANSACTIONS):
        counts[f"{names.BRONZE}.{table}"] = as_int(
            session.scalar(f"select count(*) from {names.BRONZE}.{table}") or 0
        )
    mix = session.query(
        # distinct customers: a customer arrives once per delivery (customers.csv, then card-change files)
        "select customer_segment as segment, count(distinct customer_id) as customers from BRONZE.BRONZE_CUSTOMERS "
        "group by customer_segment order by customers desc"
    )
    window = session.query(
        "select min(transaction_date) as first_transaction, max(transaction_date) as last_transaction "
        "from BRONZE.BRONZE_TRANSACTIONS"
    )
    total = max(int(mix["customers"].sum()), 1) if not mix.empty else 1
    return {
        "rows": counts,
        "segment_mix": {
            str(r.segment): {"customers": as_int(r.customers), "share": round(as_int(r.customers) / total, 4)}
            for r in mix.itertuples()
        },
        "first_transaction": str(window.iloc[0]["first_transaction"]) if not window.empty else None,
        "last_transaction": str(window.iloc[0]["last_transaction"]) if not window.empty else None,
    }


def local_outputs(settings: Settings) -> StackOutputs:
    """The local twin of the Pulumi stack outputs (same keys)."""
    return StackOutputs(
        target=Target.local.value,
        database=names.DATABASE,
        schemas=default_schemas(),
        warehouse=str(settings.warehouse_path),
        bucket=str(settings.lake_dir),
        storage_role_arn=None,
        stages={
            "customers": (settings.lake_dir / names.CUSTOMERS_KEY).parent.as_uri(),
            "historical": (settings.lake_dir / names.HISTORICAL_PREFIX).as_uri(),
            "streaming": (settings.lake_dir / names.STREAMING_PREFIX).as_uri(),
        },
        pipe_notification_channel=str(settings.queue_dir),
        app_name=names.STREAMLIT_APP,
        app_url="http://localhost:8501",
        semantic_model_location=str(_semantic_model().deployed_path(settings)),
        scale=_scale_dict(settings),
    )


def _snowflake_outputs(settings: Settings) -> StackOutputs:
    from c360.outputs import read_outputs

    existing = read_outputs(settings.outputs_path)
    if existing is not None:
        return existing
    db = names.DATABASE
    return StackOutputs(
        target=Target.snowflake.value,
        database=db,
        schemas=default_schemas(),
        warehouse=settings.snowflake.warehouse if settings.snowflake else names.WAREHOUSE,
        bucket=settings.bucket or "",
        storage_role_arn=None,
        stages={
            "customers": f"@{db}.BRONZE.{names.CUSTOMER_STAGE}",
            "historical": f"@{db}.BRONZE.{names.HISTORICAL_STAGE}",
            "streaming": f"@{db}.BRONZE.{names.STREAMING_STAGE}",
        },
        pipe_notification_channel="",
        app_name=names.STREAMLIT_APP,
        app_url="",
        semantic_model_location=_semantic_model().stage_location(),
        scale=_scale_dict(settings),
    )


def _scale_dict(settings: Settings) -> dict[str, object]:
    s = settings.scale
    return {"customers": s.customers, "months": s.months, "seed": s.seed, "as_of": s.as_of.isoformat()}


def _semantic_model() -> ModuleType:
    """The semantic_model step module, imported on demand (it pulls in the assistant)."""
    from c360.steps import semantic_model

    return semantic_model
