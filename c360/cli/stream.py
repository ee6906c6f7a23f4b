"""`c360 stream`: generate hourly batches, land them, run the pipe, refresh gold; live per-batch latency."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from c360.cli.options import FormatOption, HomeOption, TargetOption
from c360.cli.output import OutputFormat, emit_json, fail, stderr, stdout
from c360.config import Settings, platform_settings
from c360.errors import C360Error
from c360.landing.pipe import PipeOptions
from c360.steps.streaming import (
    BatchReport,
    DbtGoldRefresh,
    StreamProgress,
    StreamReport,
)
from c360.steps.streaming import stream as run_stream
from c360.values import as_float
from generators.batches import DEFAULT_BATCH_SIZE, MAX_ANOMALIES, MAX_ROWS_PER_BATCH


def stream(
    batches: Annotated[int, typer.Option(help="how many hourly batches to stream", min=1, max=100_000)] = 10,
    interval: Annotated[
        float, typer.Option(help="seconds between batch starts (0 = back to back)", min=0.0)
    ] = 5.0,
    size: Annotated[
        int, typer.Option(help="mean rows per batch (Poisson noise)", min=0, max=MAX_ROWS_PER_BATCH)
    ] = DEFAULT_BATCH_SIZE,
    anomalies: Annotated[
        int,
        typer.Option(help="bad rows to inject per batch (demo of the quarantine)", min=0, max=MAX_ANOMALIES),
    ] = 0,
    refresh: Annotated[
        bool, typer.Option("--refresh/--no-refresh", help="refresh gold incrementally after each pipe run")
    ] = True,
    tolerance: Annotated[
        float, typer.Option(help="minutes a transaction_date may lie ahead of the clock", min=0.0)
    ] = 15.0,
    target: TargetOption = None,
    home: HomeOption = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Stream ~750-row hourly batches through object store -> event -> pipe -> bronze -> gold."""
    try:
        settings = platform_settings(Settings.load(target=target, home=home, create_home=False))
        report = run_stream(
            settings,
            batches=batches,
            interval=interval,
            size=size,
            anomalies=anomalies,
            refresh_gold=DbtGoldRefresh() if refresh else None,
            pipe_options=PipeOptions(future_tolerance=timedelta(minutes=tolerance)),
            progress=_progress(batches, fmt),
        )
    except C360Error as exc:
        fail(str(exc))
    if fmt is OutputFormat.json:
        emit_json({"batches": [b.as_dict() for b in report.batches], "summary": report.summary()})
    else:
        _print_summary(report)


def _progress(total: int, fmt: OutputFormat) -> StreamProgress:
    def show(event: str, payload: object) -> None:
        if event == "batch" and isinstance(payload, BatchReport):
            stderr.print(_line(payload, total), highlight=False)
        elif event == "waiting" and fmt is not OutputFormat.json:
            stderr.print(f"  [dim]next batch in {as_float(payload):.1f} s[/]")

    return show


def _line(b: BatchReport, total: int) -> str:
    name = b.key.rsplit("/", 1)[-1]
    quarantined = ""
    if b.rows_quarantined:
        detail = ", ".join(f"{code} {n}" for code, n in sorted(b.reasons.items()))
        quarantined = f" · [yellow]{b.rows_quarantined} quarantined[/] ({detail})"
    gold = f"{b.seconds_to_gold:.2f} s" if b.seconds_to_gold is not None else "not refreshed"
    return (
        f"[bold]batch {b.number}/{total}[/] {name} · {b.rows_in_file} rows · {b.rows_loaded} loaded{quarantined}"
        f" · landing->bronze {b.seconds_to_bronze:.2f} s · landing->gold [bold]{gold}[/]"
    )


def _print_summary(report: StreamReport) -> None:
    table = Table(title="c360 stream")
    for column in ("batch", "window start", "rows", "loaded", "quarantined", "->bronze s", "->gold s"):
        table.add_column(column, justify="left" if column == "window start" else "right", no_wrap=True)
    for b in report.batches:
        table.add_row(
            str(b.number),
            f"{b.window_start:%Y-%m-%d %H:%M:%S}",
            f"{b.rows_in_file:,}",
            f"{b.rows_loaded:,}",
            f"{b.rows_quarantined:,}",
            f"{b.seconds_to_bronze:.2f}",
            "-" if b.seconds_to_gold is None else f"{b.seconds_to_gold:.2f}",
        )
    stdout.print(table)
    summary = report.summary()
    if summary["landing_to_gold_median_seconds"] is not None:
        stdout.print(
            f"landing -> gold: median {summary['landing_to_gold_median_seconds']:.2f} s, "
            f"p95 {summary['landing_to_gold_p95_seconds']:.2f} s over {len(report.latencies())} batch(es)"
        )
    for failure in report.failures:
        stderr.print(f"[red]retrying later:[/] {failure}")
