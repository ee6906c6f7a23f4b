"""Entry point: `c360 up | stream | ingest | ask | sql | app | status | validate | train | maintain | bench | down`."""

from __future__ import annotations

from typing import Annotated

import typer

from c360.cli import app as app_cmd
from c360.cli import ask, bench, down, maintain, sql, status, train, up, validate
from c360.cli import ingest as ingest_cmd
from c360.cli import stream as stream_cmd
from c360.cli.output import setup_logging

app = typer.Typer(
    name="c360",
    help="Customer 360 analytics platform: build it locally (DuckDB) or on Snowflake, then explore it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging on stderr")] = False,
) -> None:
    setup_logging(verbose)


app.command("up")(up.up)
app.command("stream")(stream_cmd.stream)
app.command("ingest")(ingest_cmd.ingest)
app.command("status")(status.status)
app.command("validate")(validate.validate)
app.command("sql")(sql.sql)
app.command("ask")(ask.ask)
app.command("app")(app_cmd.app)
app.command("train")(train.train)
app.command("maintain")(maintain.maintain)
app.command("down")(down.down)
app.command("bench")(bench.bench)

if __name__ == "__main__":
    app()
