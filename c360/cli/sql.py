"""`c360 sql`: run one read-only query through the guard."""

from __future__ import annotations

from typing import Annotated

import typer

from c360.cli.options import FormatOption, HomeOption, TargetOption
from c360.cli.output import OutputFormat, fail, render_frame
from c360.config import Settings
from c360.engines.readers import open_reader
from c360.errors import C360Error
from c360.grants import Role
from c360.guard import DEFAULT_MAX_ROWS, run_guarded


def sql(
    query: Annotated[str, typer.Argument(help="one SELECT statement")],
    role: Annotated[
        Role, typer.Option(help="run as this role (the grant matrix applies)")
    ] = Role.DATA_ANALYST,
    max_rows: Annotated[int, typer.Option(help="row limit", min=1, max=1_000_000)] = DEFAULT_MAX_ROWS,
    timeout: Annotated[float, typer.Option(help="seconds before the query is cancelled", min=0.1)] = 60.0,
    target: TargetOption = None,
    home: HomeOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Run one read-only SELECT (guarded: single statement, tables your role may read, row limit, timeout)."""
    try:
        settings = Settings.load(target=target, home=home, create_home=False)
        session = open_reader(settings)
        try:
            frame = run_guarded(session, query, role, max_rows=max_rows, timeout_seconds=timeout)
        finally:
            session.close()
    except C360Error as exc:
        fail(str(exc))
    render_frame(frame, fmt if fmt is not OutputFormat.text else OutputFormat.table)
