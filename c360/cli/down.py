"""`c360 down`: remove the local platform under C360_HOME."""

from __future__ import annotations

import shutil
from typing import Annotated

import typer

from c360.cli.options import HomeOption, TargetOption
from c360.cli.output import fail, stderr
from c360.config import Settings, Target
from c360.engines import writer_lock
from c360.engines.lake import Lake
from c360.errors import C360Error

OWNED = (
    "warehouse",
    "customer_analytics.duckdb",
    "customer_analytics.duckdb.wal",
    "lake",
    "queue",
    "snapshots",
    "models",
    "logs",
    "tmp",
    "outputs.json",
    "semantic_model.yaml",
    "dbt",
)


def down(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")] = False,
    target: TargetOption = None,
    home: HomeOption = None,
) -> None:
    """Delete the local warehouse, landing folder, queue, snapshots and outputs (C360_HOME stays)."""
    try:
        settings = Settings.load(target=target, home=home, create_home=False)
    except C360Error as exc:
        fail(str(exc))
    if settings.target is Target.snowflake:
        fail("the snowflake target is torn down with `pulumi destroy -s <stack>` (see docs/deploy.md)")
    present = [settings.home / name for name in OWNED if (settings.home / name).exists()]
    if not present:
        stderr.print(f"nothing to remove under {settings.home}")
        return
    if not yes and not typer.confirm(f"remove the local platform under {settings.home}?", default=False):
        fail("cancelled", code=1)
    lock_file = Lake.at(settings.warehouse_path).lock_file
    try:
        writer_lock.acquire(lock_file)  # never pull the warehouse from under a running writer
    except C360Error as exc:
        fail(str(exc))
    try:
        for path in present:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
    finally:
        writer_lock.release(lock_file)
    stderr.print(f"removed {len(present)} item(s) under {settings.home}")
