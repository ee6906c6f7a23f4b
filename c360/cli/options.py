"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

from c360.cli.output import OutputFormat
from c360.config import Target

TargetOption = Annotated[
    Target | None, typer.Option("--target", help="local | snowflake (default: C360_TARGET or local)")
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="text | json | table | csv")]
HomeOption = Annotated[
    str | None, typer.Option("--home", help="state folder (default: C360_HOME or ./.c360)")
]
