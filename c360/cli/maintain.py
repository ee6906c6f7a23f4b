"""`c360 maintain`: compact the local warehouse's files and drop the versions no reader needs."""

from __future__ import annotations

from typing import Annotated

import typer

from c360.cli.options import FormatOption, HomeOption, TargetOption
from c360.cli.output import OutputFormat, emit_json, fail, stdout
from c360.config import Settings, Target
from c360.errors import C360Error


def maintain(
    no_compact: Annotated[
        bool, typer.Option("--no-compact", help="only expire old versions and delete their files")
    ] = False,
    target: TargetOption = None,
    home: HomeOption = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Merge small files, rewrite files with many deleted rows, expire versions older than the one readers
    see (unless a reader still holds one) and delete the files nothing references. Safe while readers run;
    waits for no writer (a busy warehouse is reported). `c360 up` runs the same as its last step."""
    try:
        settings = Settings.load(target=target, home=home, create_home=False)
        if settings.target is Target.snowflake:
            fail("Snowflake manages its own storage (Time Travel retention); nothing to maintain")
        from c360.engines.maintenance import run_maintenance

        report = run_maintenance(settings, compact=not no_compact)
    except C360Error as exc:
        fail(str(exc))
    if fmt is OutputFormat.json:
        emit_json(report.as_dict())
        return
    stdout.print(
        f"expired {report.snapshots_expired} old version(s) ({report.snapshots_kept} kept"
        + (f", {report.readers_open} pinned by open readers" if report.readers_open else "")
        + f"); files {report.files_before:,} -> {report.files_after:,} "
        f"({report.bytes_before / 2**20:,.0f} -> {report.bytes_after / 2**20:,.0f} MB) in {report.seconds:.1f} s"
    )
