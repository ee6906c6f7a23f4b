"""Scale: what a whole build, a streamed batch and the disk cost at a given portfolio size.

On a fresh home at the bench's `--customers` (default 50,000; e.g. `c360 bench --only scale --customers
150000`), through the real CLI in child processes:
- `c360 up` from an empty home (wall time, peak RSS, each step's seconds; dbt_build is a full refresh);
- `c360 stream` of WARM_BATCHES + 1 batches of ~750 rows back to back; the first (dbt import and parse,
  cold caches) is left out, so landing -> gold median and p95 are over WARM_BATCHES warm batches;
- the warehouse storage's disk use after the build and after the stream, against the data's own size
  (c360/engines/footprint.py says what each counts).
The section is named after the scale (`scale_50000`, `scale_150000`), so both scales keep their results.
One full-scale build runs at a time; the home is deleted afterwards.
"""

from __future__ import annotations

import os
import shutil
import statistics

from c360.bench.measure import RSS_MARKER, c360_command, run_child
from c360.bench.platform import up_command
from c360.bench.registry import BenchContext, BenchSection, Metric, benchmark
from c360.config import Settings
from c360.engines.footprint import STORAGE, StorageFootprint, storage_footprint, tree_bytes
from c360.errors import C360Error
from c360.percentiles import percentile

WARM_BATCHES = 20
BATCH_ROWS = 750
STREAM_P95_TARGET_S = 3.0
DISK_RATIO_TARGET = 1.3
UP_TARGET_S = 110.0
MB = 1024 * 1024
SCALE_ORDER = 45
# Measured before the lake (one DuckDB file + a full copy per publish), quoted from issue 18 (a quiet machine)
BEFORE_150K = (
    "Before (one DuckDB file, a full copy per publish; issue 18, not re-measured): `c360 up --customers 150000` "
    "352 s; each reader copy 6.3 GB, three kept (19 GB of disk for 6.3 GB of data); landing -> gold 9.3 s "
    "median over 8 batches (the first took 91 s)."
)


@benchmark("scale", "Scale: full build, streamed batches and disk at a portfolio size", order=SCALE_ORDER)
def bench_scale(ctx: BenchContext) -> BenchSection:
    scale = ctx.settings.scale
    home = ctx.fresh_home(f"scale-{scale.customers}")
    shutil.rmtree(home, ignore_errors=True)
    load = {"at the start": os.getloadavg()}
    try:
        up = run_child(up_command(scale, home))
        load["after `c360 up`"] = os.getloadavg()
        if up.returncode != 0:
            raise C360Error(f"c360 up failed: {_tail(up.stderr)}")
        steps = {s["step"]: float(s["seconds"]) for s in up.json()["steps"]}
        settings = Settings.load(target="local", home=home, as_of=scale.as_of, env={})
        after_up = storage_footprint(settings)
        home_after_up = tree_bytes(home)

        stream_args = ["--batches", str(WARM_BATCHES + 1), "--interval", "0", "--size", str(BATCH_ROWS)]
        stream = run_child(c360_command("stream", *stream_args, "--home", str(home), "--format", "json"))
        load["after the stream"] = os.getloadavg()
        if stream.returncode != 0:
            raise C360Error(f"c360 stream failed: {_tail(stream.stderr)}")
        batches = stream.json()["batches"][1:]
        gold = [float(b["seconds_to_gold"]) for b in batches if b["seconds_to_gold"] is not None]
        if len(gold) != WARM_BATCHES:
            raise C360Error(f"only {len(gold)} of {WARM_BATCHES} warm batches reached gold")
        after_stream = storage_footprint(settings)
        home_after_stream = tree_bytes(home)
    finally:
        shutil.rmtree(home, ignore_errors=True)

    def component(name: str) -> tuple[float, ...]:
        return tuple(float(b.get(name) or 0.0) for b in batches)

    metrics = [
        Metric(
            "`c360 up` from an empty home, wall time (incl. interpreter start)",
            "s",
            (up.seconds,),
            target=UP_TARGET_S,
        ),
        Metric("  peak RSS of `c360 up`", "MB", (up.peak_rss_mb,)),
        *[Metric(f"  step {name}", "s", (seconds,)) for name, seconds in steps.items()],
        Metric(
            f"landing -> gold per warm batch ({WARM_BATCHES} batches of ~{BATCH_ROWS} rows)", "s", tuple(gold)
        ),
        Metric(
            f"landing -> gold p95 over {WARM_BATCHES} warm batches",
            "s",
            (percentile(gold, 95),),
            target=STREAM_P95_TARGET_S,
        ),
        Metric("  landing -> bronze (pipe)", "s", component("seconds_to_bronze")),
        Metric("  incremental gold refresh (to its last model's commit)", "s", component("refresh_seconds")),
        Metric("  publishing to readers", "s", component("snapshot_seconds")),
        Metric(
            "dbt's on-run-end hooks after readers see gold (not in landing -> gold)",
            "s",
            component("hooks_seconds"),
        ),
        *_disk_metrics("after `c360 up`", after_up),
        *_disk_metrics(f"after {WARM_BATCHES + 1} streamed batches", after_stream),
    ]
    return BenchSection(
        f"scale_{scale.customers}",
        f"Scale: {scale.customers:,} customers — full build, streamed batches, disk ({STORAGE})",
        order=SCALE_ORDER + (1 if scale.customers > 100_000 else 0),
        metrics=metrics,
        notes=[
            f"{scale.customers:,} customers, {scale.months} months, seed {scale.seed}, as-of {scale.as_of}; "
            f"storage: {STORAGE}. `c360 up` from an empty home (dbt_build is a full refresh), then "
            f"`c360 stream --batches {WARM_BATCHES + 1} --interval 0`; the first batch (dbt import and parse, "
            f"cold caches) is not counted.",
            f"Landing -> gold: median {statistics.median(gold):.2f} s, p95 {percentile(gold, 95):.2f} s, "
            f"max {max(gold):.2f} s (target p95 <= {STREAM_P95_TARGET_S:g} s at every scale).",
            "Disk: `data` is what the current committed state needs (one copy of every table as stored); "
            "`total` is everything the warehouse storage occupies (reader copies, retained versions, files "
            f"awaiting deletion, catalog, logs); target total <= {DISK_RATIO_TARGET:g} x data. The whole "
            f"C360_HOME (landing files, queue, models, dbt state included) was {home_after_up / MB:,.0f} MB "
            f"after the build and {home_after_stream / MB:,.0f} MB after the stream.",
            "Storage parts after the stream: "
            + ", ".join(f"{name} {size / MB:,.0f} MB" for name, size in after_stream.parts.items())
            + ".",
            "Machine load (load average over 1 / 5 / 15 minutes; 2 logical cores shared with other work): "
            + "; ".join(f"{when} {a:.1f} / {b:.1f} / {c:.1f}" for when, (a, b, c) in load.items())
            + ". Under load every wall time here stretches by roughly the share of the cores the measured "
            "process did not get.",
            *([BEFORE_150K] if scale.customers == 150_000 else []),
        ],
    )


def _disk_metrics(when: str, footprint: StorageFootprint) -> list[Metric]:
    return [
        Metric(f"disk {when}: data", "MB", (footprint.data_bytes / MB,)),
        Metric(f"disk {when}: total warehouse storage", "MB", (footprint.total_bytes / MB,)),
        Metric(f"disk {when}: total / data", "x", (footprint.ratio,), target=DISK_RATIO_TARGET),
    ]


def _tail(stderr: str, lines: int = 6) -> str:
    kept = [line for line in stderr.strip().splitlines() if line.strip() and not line.startswith(RSS_MARKER)]
    return " | ".join(kept[-lines:])
