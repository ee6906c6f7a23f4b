"""Bronze generation: full-scale customers + in-warehouse transactions + bronze load, from scratch."""

from __future__ import annotations

import shutil

from c360.bench.measure import run_child
from c360.bench.platform import up_command
from c360.bench.registry import BenchContext, BenchSection, Metric, benchmark
from c360.errors import C360Error


@benchmark("generation", "Bronze generation and load (c360 up: provision, customers, transactions)", order=10)
def bench_generation(ctx: BenchContext) -> BenchSection:
    scale = ctx.settings.scale
    walls, rss, customers_s, transactions_s, rows = [], [], [], [], []
    for i in range(ctx.runs):
        home = ctx.fresh_home(f"generation-{i}")
        shutil.rmtree(home, ignore_errors=True)
        run = run_child(
            up_command(scale, home, "--step", "provision", "--step", "customers", "--step", "transactions")
        )
        if run.returncode != 0:
            raise C360Error(f"generation run {i + 1} failed: {run.stderr.strip().splitlines()[-1:]}")
        report = run.json()
        steps = {s["step"]: s for s in report["steps"]}
        walls.append(run.seconds)
        rss.append(run.peak_rss_mb)
        customers_s.append(steps["customers"]["seconds"])
        transactions_s.append(steps["transactions"]["seconds"])
        rows.append(steps["transactions"]["rows"])
        shutil.rmtree(home, ignore_errors=True)
    return BenchSection(
        "generation",
        "Bronze generation and load",
        metrics=[
            Metric(
                "wall time, whole `c360 up` process (incl. interpreter start)", "s", tuple(walls), target=60.0
            ),
            Metric("peak RSS", "MB", tuple(rss), target=3072.0),
            Metric("customers step (generate, land CSV, COPY)", "s", tuple(customers_s)),
            Metric("transactions step (generate in DuckDB, insert into bronze)", "s", tuple(transactions_s)),
        ],
        notes=[
            f"{scale.customers:,} customers, {scale.months} months, seed {scale.seed}, as-of {scale.as_of}; "
            f"{rows[0]:,} transaction rows per run; each run starts from an empty C360_HOME.",
            "The original platform took 5-15 min for transaction generation on a Snowflake XS warehouse.",
        ],
    )
