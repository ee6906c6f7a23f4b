"""`c360 status`: what is built, the last runs, the health of each layer and the open alerts.

Exit codes: 0, 1 when the status cannot be read, 2 while a critical alert is open (a cron job or CI can page
on it; docs/runbooks/alerts.md).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import typer

from c360.alerts.status import AlertStatus, alert_status
from c360.cli.options import FormatOption, HomeOption, TargetOption
from c360.cli.output import OutputFormat, emit_json, fail, frame_records, render_frame, stdout
from c360.config import Settings
from c360.engines.base import WarehouseSession
from c360.engines.readers import open_reader
from c360.errors import C360Error
from c360.landing.status import QueueStatus
from c360.run_failures import last_failure
from c360.status_report import STATUS_SECTIONS, ingest_queue


def status(
    target: TargetOption = None, home: HomeOption = None, fmt: FormatOption = OutputFormat.text
) -> None:
    """Show rows per table, recent pipeline runs and the health sections later features register."""
    try:
        settings = Settings.load(target=target, home=home, create_home=False)
        session = open_reader(settings)
    except C360Error as exc:
        fail(str(exc))
    try:
        sections = {name: _safe(fn, session) for name, fn in STATUS_SECTIONS.items()}
        alerts = alert_status(settings, session)
    finally:
        session.close()
    failed = last_failure(settings)
    queue = ingest_queue(settings)
    if fmt is OutputFormat.json:
        emit_json(
            {"last_failed_run": failed}
            | {name: frame_records(frame) for name, frame in sections.items()}
            | ({"ingest queue": queue.as_dict()} if queue is not None else {})
            | {"alerts": alerts.as_dict()}
        )
        _exit_on_critical(alerts)
        return
    if failed:
        stdout.print(
            f"[bold red]the last `c360 up` failed[/] (run {failed.get('run_id')}, {failed.get('failed_at')}): "
            f"{failed.get('error')}\nnothing from it was published: the figures below are from the last "
            "successful run; fix the cause and run `c360 up` again.",
            highlight=False,
        )
    for name, frame in sections.items():
        if frame.empty:
            stdout.print(f"[bold]{name}[/]: nothing yet")
        else:
            render_frame(frame, OutputFormat.table, title=name)
    if queue is not None:
        _print_queue(queue)
    _print_alerts(alerts)
    _exit_on_critical(alerts)


def _print_queue(queue: QueueStatus) -> None:
    stdout.print(
        f"[bold]ingest queue[/]: {queue.waiting} file(s) waiting, {queue.in_flight} in flight, "
        f"{queue.failed} failed",
        highlight=False,
    )
    if not queue.files.empty:
        render_frame(queue.files, OutputFormat.table, title="files not yet loaded")
    if queue.failed:
        stdout.print(
            f"re-drive the failed files (after fixing the cause): [bold]{queue.redrive_command}[/]",
            highlight=False,
        )


SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def _print_alerts(alerts: AlertStatus) -> None:
    when = f" (evaluated {alerts.evaluated_at})" if alerts.evaluated_at else ""
    if not alerts.open:
        stdout.print(f"[bold]alerts[/]: none open{when}", highlight=False)
    else:
        stdout.print(f"[bold]alerts[/]: {len(alerts.open)} open{when}", highlight=False)
        for event in alerts.open:
            style = SEVERITY_STYLE.get(str(event.get("severity")), "")
            stdout.print(
                f"  [{style}]{str(event.get('severity')).upper()}[/] {event.get('rule_name')}: "
                f"{event.get('message')} — since {event.get('fired_at')}; runbook {event.get('runbook')}",
                highlight=False,
            )
    resolved = [e for e in alerts.recent if e.get("resolved_at")]
    if resolved:
        stdout.print(f"  resolved in the last 7 days: {len(resolved)}", highlight=False)
        for event in resolved[:5]:
            stdout.print(
                f"    {event.get('rule_name')}: fired {event.get('fired_at')}, resolved {event.get('resolved_at')}",
                highlight=False,
            )
    for error in alerts.errors:
        stdout.print(f"  [yellow]not evaluated[/] {error}", highlight=False)


def _exit_on_critical(alerts: AlertStatus) -> None:
    if alerts.critical_open:
        raise typer.Exit(code=2)


def _safe(fn: Callable[[WarehouseSession], pd.DataFrame], session: WarehouseSession) -> pd.DataFrame:
    try:
        return fn(session)
    except C360Error as exc:
        return pd.DataFrame({"unavailable": [str(exc)]})
