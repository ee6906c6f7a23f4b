"""`c360 status`: what is built, the last runs, and the health of each layer."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

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
    finally:
        session.close()
    failed = last_failure(settings)
    queue = ingest_queue(settings)
    if fmt is OutputFormat.json:
        emit_json(
            {"last_failed_run": failed}
            | {name: frame_records(frame) for name, frame in sections.items()}
            | ({"ingest queue": queue.as_dict()} if queue is not None else {})
        )
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


def _safe(fn: Callable[[WarehouseSession], pd.DataFrame], session: WarehouseSession) -> pd.DataFrame:
    try:
        return fn(session)
    except C360Error as exc:
        return pd.DataFrame({"unavailable": [str(exc)]})
