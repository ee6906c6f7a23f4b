"""`c360 validate`: the seed's validation suite (seed 001 section 11.4) and the segment-quality measure.

Reads the dbt model validation_seed_checks as the last `c360 up` built it (every build recomputes it and
its data test fails the build on any FAIL), prints one row per check with what the seed expects, what we
expect and the measured value, and exits 1 when a check fails.
"""

from __future__ import annotations

import pandas as pd
import typer

from c360 import names
from c360.cli.options import FormatOption, HomeOption, TargetOption
from c360.cli.output import OutputFormat, emit_json, fail, frame_records, render_frame, stderr
from c360.config import Settings
from c360.engines.readers import open_reader
from c360.errors import C360Error
from c360.sqlfiles import load_sql

CHECKS_TABLE = "VALIDATION_SEED_CHECKS"


def validate(
    target: TargetOption = None, home: HomeOption = None, fmt: FormatOption = OutputFormat.text
) -> None:
    """Show the seed's data-quality checks (translated) with measured values; exit 1 on a failure."""
    try:
        settings = Settings.load(target=target, home=home, create_home=False)
        session = open_reader(settings)
    except C360Error as exc:
        fail(str(exc))
    try:
        if not session.table_exists(names.SILVER, CHECKS_TABLE):
            fail(f"{names.SILVER}.{CHECKS_TABLE} does not exist yet: run `c360 up` first")
        checks = session.query(load_sql("validation/seed_checks"))
    except C360Error as exc:
        fail(str(exc))
    finally:
        session.close()
    failed = checks[checks["status"] == "FAIL"]
    if fmt is OutputFormat.json:
        emit_json({"passed": failed.empty, "checks": frame_records(checks)})
    else:
        render_frame(_for_display(checks), fmt if fmt is not OutputFormat.text else OutputFormat.table)
        if fmt is not OutputFormat.csv:
            stderr.print(_summary(checks), highlight=False)
    if not failed.empty:
        raise typer.Exit(code=1)


def _for_display(checks: pd.DataFrame) -> pd.DataFrame:
    """Compact: the check, its subject, the value, the passing range and the verdict (JSON has the rest)."""
    return pd.DataFrame(
        {
            "check": checks["check_id"],
            "what": checks["check_name"],
            "subject": checks["subject"],
            "measured": checks["measured_value"].map(lambda v: f"{v:,.2f}"),
            "passes if": [
                f"{lo:,.4g}-{hi:,.4g} {unit}"
                for lo, hi, unit in zip(
                    checks["lower_bound"], checks["upper_bound"], checks["unit"], strict=True
                )
            ],
            "status": checks["status"],
        }
    )


def _summary(checks: pd.DataFrame) -> str:
    counts = checks["status"].value_counts()
    as_of = str(checks["as_of_date"].iloc[0])[:10] if len(checks) else "-"
    return (
        f"{int(counts.get('PASS', 0))} passed, {int(counts.get('FAIL', 0))} failed, "
        f"{int(counts.get('INFO', 0))} reported only (as of {as_of}); `--format json` shows the seed's and our "
        "expectations"
    )
