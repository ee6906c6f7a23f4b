"""`c360 up`: build the platform end to end; safe to re-run."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from c360.cli.options import FormatOption, HomeOption, TargetOption
from c360.cli.output import OutputFormat, emit_json, fail, stderr, stdout, step_progress
from c360.config import SCALE_ENV, Settings, platform_settings
from c360.errors import C360Error
from c360.outputs import read_outputs
from c360.steps.pipeline import UpReport, run_all


def up(
    customers: Annotated[int | None, typer.Option(help="number of cardholders (default 50,000)")] = None,
    months: Annotated[int | None, typer.Option(help="months of history (default 18)")] = None,
    seed: Annotated[int | None, typer.Option(help="random seed (default 42)")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="last day of history, YYYY-MM-DD (default today)")
    ] = None,
    target: TargetOption = None,
    home: HomeOption = None,
    step: Annotated[
        list[str] | None, typer.Option("--step", help="run only these steps (repeatable)")
    ] = None,
    force: Annotated[bool, typer.Option(help="re-run steps even when their inputs are unchanged")] = False,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Build the platform end to end (provision -> customers -> transactions -> ...); safe to re-run."""
    try:
        settings = Settings.load(
            target=target, customers=customers, months=months, seed=seed, as_of=as_of, home=home
        )
        scale_given = any(v is not None for v in (customers, months, seed, as_of)) or any(
            os.environ.get(name) for name in SCALE_ENV.values()
        )
        if step and not scale_given and read_outputs(settings.outputs_path) is not None:
            settings = platform_settings(settings)  # a partial run continues the built platform
        with step_progress(fmt is not OutputFormat.json) as progress:
            report = run_all(settings, progress, only=step, force=force)
    except C360Error as exc:
        fail(str(exc))
    if fmt is OutputFormat.json:
        emit_json(report_dict(report))
    else:
        print_report(report)


def report_dict(report: UpReport) -> dict[str, object]:
    return {
        "run_id": report.run_id,
        "target": report.target,
        "seconds": round(report.seconds, 2),
        "steps": [
            {
                "step": r.step,
                "status": r.status,
                "seconds": round(r.seconds, 2),
                "cpu_seconds": None if r.cpu_seconds is None else round(r.cpu_seconds, 2),
                "rows": r.rows,
                "details": r.details,
            }
            for r in report.results
        ],
        "summary": report.summary,
    }


def print_report(report: UpReport) -> None:
    steps = Table(title=f"c360 up · {report.target} · run {report.run_id}")
    for column in ("step", "status", "rows", "seconds", "cpu seconds"):
        steps.add_column(column, justify="left" if column in {"step", "status"} else "right")
    for r in report.results:
        cpu = "" if r.cpu_seconds is None else f"{r.cpu_seconds:.1f}"
        steps.add_row(r.step, r.status, f"{r.rows:,}", f"{r.seconds:.1f}", cpu)
    stdout.print(steps)
    rows = Table(title="rows per table")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for table, count in report.summary.get("rows", {}).items():
        rows.add_row(table, f"{count:,}")
    stdout.print(rows)
    mix = Table(title="segment mix (generator truth)")
    mix.add_column("segment")
    mix.add_column("customers", justify="right")
    mix.add_column("share", justify="right")
    for segment, info in report.summary.get("segment_mix", {}).items():
        mix.add_row(segment, f"{info['customers']:,}", f"{info['share']:.1%}")
    stdout.print(mix)
    first, last = report.summary.get("first_transaction"), report.summary.get("last_transaction")
    stdout.print(f"transactions from [bold]{_day(first)}[/] to [bold]{_day(last)}[/]")
    stdout.print(f"done in [bold]{report.seconds:.1f} s[/]")
    stderr.print(
        'next: `c360 app` to open the app, `c360 status` for health, `c360 sql "select ..."` to query'
    )


def _day(value: object) -> str:
    if not value:
        return "-"
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)
