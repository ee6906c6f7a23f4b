"""`c360 ingest`: land the given files under the streaming prefix and run the pipe once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from c360.cli.options import FormatOption, HomeOption, TargetOption
from c360.cli.output import OutputFormat, emit_json, fail, stderr, stdout
from c360.config import Settings, platform_settings
from c360.errors import C360Error
from c360.landing.pipe import FileLoad, PipeOptions
from c360.steps.streaming import DbtGoldRefresh, IngestReport
from c360.steps.streaming import ingest as run_ingest


def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="CSV files (gzip allowed) to land and load", show_default=False),
    ] = None,
    rescan: Annotated[
        bool,
        typer.Option(
            help="run the pipe without new files: queue objects whose event was lost (PIPE REFRESH; every "
            "run does this), then drain the queue"
        ),
    ] = False,
    redrive: Annotated[bool, typer.Option(help="move dead-lettered events back to the queue first")] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh/--no-refresh", help="refresh gold incrementally when rows were loaded")
    ] = True,
    tolerance: Annotated[
        float, typer.Option(help="minutes a transaction_date may lie ahead of the clock", min=0.0)
    ] = 15.0,
    target: TargetOption = None,
    home: HomeOption = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Land files, run the pipe once, report per file: rows, loaded, quarantined (reasons), duplicates."""
    files = list(paths or [])
    if not files and not rescan and not redrive:
        fail("give one or more files to ingest (or --rescan / --redrive)")
    try:
        settings = platform_settings(Settings.load(target=target, home=home, create_home=False))
        report = run_ingest(
            settings,
            files,
            redrive=redrive,
            refresh_gold=DbtGoldRefresh() if refresh else None,
            pipe_options=PipeOptions(future_tolerance=timedelta(minutes=tolerance)),
        )
    except C360Error as exc:
        fail(str(exc))
    if fmt is OutputFormat.json:
        emit_json(report_dict(report))
    else:
        _print(report)
    if report.failures:
        raise typer.Exit(code=1)


def _file_dict(
    load: FileLoad | None, source: Path | None = None, key: str | None = None
) -> dict[str, object]:
    if load is None:
        entry: dict[str, object] = {"file": key, "status": "QUEUED", "loaded": None}
    else:
        entry = load.as_dict()
    return {"path": str(source), **entry} if source is not None else entry


def report_dict(report: IngestReport) -> dict[str, object]:
    return {
        "files": [
            _file_dict(load, path, key) for load, (path, key) in zip(report.files, report.landed, strict=True)
        ],
        "other_files": [_file_dict(load) for load in report.other_files],
        "not_landed": [str(path) for path in report.not_landed],
        "rescanned": report.queued,
        "redriven": report.redriven,
        "rejected_messages": report.rejected_messages,
        "failures": report.failures,
        "gold_refreshed_at": report.gold_at,
        "refresh_seconds": round(report.refresh_seconds, 3),
    }


def _print(report: IngestReport) -> None:
    table = Table(title="c360 ingest")
    for column in ("file", "status", "rows", "loaded", "quarantined", "reasons"):
        table.add_column(column, justify="right" if column in {"rows", "loaded", "quarantined"} else "left")
    for (_, key), load in zip(report.landed, report.files, strict=True):
        if load is None:
            table.add_row(key.rsplit("/", 1)[-1], "QUEUED", "", "", "", "not loaded yet")
    for load in [*(f for f in report.files if f is not None), *report.other_files]:
        reasons = ", ".join(f"{code} {n}" for code, n in sorted(load.reasons.items()))
        if load.skipped_duplicate_file:
            reasons = "already loaded (same name and checksum)"
        table.add_row(
            load.file_name.rsplit("/", 1)[-1],
            load.status,
            f"{load.rows_in_file:,}",
            f"{load.rows_loaded:,}",
            f"{load.rows_quarantined:,}",
            reasons,
        )
    stdout.print(table)
    if report.queued:
        stderr.print(f"queued {len(report.queued)} landed object(s) whose event had been lost")
    if report.redriven:
        stderr.print(f"moved {report.redriven} dead-lettered event(s) back to the queue")
    for rejected in report.rejected_messages:
        stderr.print(
            f"[yellow]queue message rejected (not an S3 event; the receive limit dead-letters it):[/] {rejected}",
            highlight=False,
        )
    if report.not_landed:
        stderr.print(f"[red]{len(report.not_landed)} file(s) not landed:[/] run again with them once fixed")
    for failure in report.failures:
        stderr.print(f"[red]problem:[/] {failure}", highlight=False)
    if report.gold_at is not None:
        stderr.print(
            f"gold refreshed in {report.refresh_seconds:.2f} s; readers see it since {report.gold_at:%H:%M:%S}"
        )
