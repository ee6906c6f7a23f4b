"""The full-scale platform benchmark sections share: built once by `c360 up`, reused as it is."""

from __future__ import annotations

import logging
from pathlib import Path

from c360.bench.measure import c360_command, run_child
from c360.bench.registry import BenchContext
from c360.config import Scale, Settings, platform_settings
from c360.engines.readers import open_reader
from c360.errors import C360Error

log = logging.getLogger(__name__)


def up_command(scale: Scale, home: Path, *extra: str) -> list[str]:
    """`c360 up` for `scale` on `home`, JSON on stdout, peak RSS reported (see measure.c360_command)."""
    return c360_command(
        "up", "--customers", str(scale.customers), "--months", str(scale.months), "--seed", str(scale.seed),
        "--as-of", scale.as_of.isoformat(), "--home", str(home), "--format", "json", *extra,
    )  # fmt: skip


def ensure_platform(ctx: BenchContext) -> Settings:
    """The bench platform as it is when its gold layer exists (other sections may have streamed into it);
    otherwise `c360 up` builds it first. Returns the built platform's settings (its own as-of and scale)."""
    if not _has_gold(ctx.settings):
        log.info("bench: building the platform at %s", ctx.settings.home)
        run = run_child(up_command(ctx.settings.scale, ctx.settings.home))
        if run.returncode != 0:
            tail = " | ".join(run.stderr.strip().splitlines()[-3:])
            raise C360Error(f"building the bench platform failed: {tail}")
    return platform_settings(Settings.load(target="local", home=ctx.settings.home, env={}, create_home=False))


def _has_gold(settings: Settings) -> bool:
    if not settings.outputs_path.exists() or not settings.warehouse_path.exists():
        return False
    try:
        session = open_reader(settings)
    except C360Error:
        return False
    try:
        return session.table_exists("GOLD", "CUSTOMER_360_PROFILE")
    finally:
        session.close()
