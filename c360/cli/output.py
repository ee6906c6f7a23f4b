"""Output conventions: data on stdout (JSON only in --format json), progress and logs on stderr."""

from __future__ import annotations

import json
import logging
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import NoReturn

import pandas as pd
import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from c360.steps.context import Progress as ProgressFn
from c360.steps.context import no_progress

stderr = Console(stderr=True)
stdout = Console()


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    table = "table"
    csv = "csv"


def setup_logging(verbose: bool) -> None:
    root = logging.getLogger()
    if any(isinstance(h, RichHandler) for h in root.handlers):
        return
    handler = RichHandler(console=stderr, show_path=False, markup=False, rich_tracebacks=False)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler], format="%(message)s"
    )
    for noisy in ("botocore", "boto3", "urllib3", "snowflake", "filelock", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # a log handler that cannot write (e.g. dbt's file log on a full disk) must not print a traceback per
    # message: the command reports the failure itself (Python's "Logging HOWTO", raiseExceptions)
    logging.raiseExceptions = False


def fail(reason: str, code: int = 1) -> NoReturn:
    """A one-line reason on stderr, then a non-zero exit."""
    stderr.print(f"[bold red]error:[/] {reason}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=code)


def to_jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    return value


def emit_json(payload: object) -> None:
    sys.stdout.write(json.dumps(to_jsonable(payload), indent=2) + "\n")
    sys.stdout.flush()


def frame_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [{str(k): to_jsonable(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def render_frame(frame: pd.DataFrame, fmt: OutputFormat, title: str | None = None) -> None:
    if fmt is OutputFormat.json:
        emit_json({"columns": list(frame.columns), "rows": frame_records(frame), "row_count": len(frame)})
    elif fmt is OutputFormat.csv:
        sys.stdout.write(frame.to_csv(index=False))
    else:
        table = Table(title=title, show_lines=False)
        for column in frame.columns:
            table.add_column(str(column), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(
                *("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in row)
            )
        stdout.print(table)
        stderr.print(f"{len(frame):,} row(s)", style="dim")


@contextmanager
def step_progress(enabled: bool) -> Iterator[ProgressFn]:
    """A rich progress display on stderr, one bar per lifecycle step."""
    if not enabled:
        yield no_progress
        return
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("[bold]{task.fields[step]:<13}"),
        BarColumn(bar_width=24),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    ) as bar:

        def update(step: str, completed: float, total: float, message: str) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(message, total=total or 1, step=step)
            bar.update(tasks[step], completed=completed, total=total or 1, description=message)

        yield update
