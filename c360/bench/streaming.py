"""Streaming: landing -> gold latency of hourly batches and sustained large-file ingestion, at full scale.

Both run on a private copy of the full-scale bench platform (built with `c360 up` when missing), through
the real CLI in a child process: `c360 stream` for 20 batches of ~750 rows (back to back, gold refreshed
and a reader snapshot published after every batch), then `c360 ingest` of a 1M-row file.
"""

from __future__ import annotations

import shutil
import statistics
from datetime import datetime, timedelta
from pathlib import Path

from c360.bench.measure import RSS_MARKER, c360_command, run_child
from c360.bench.platform import ensure_platform
from c360.bench.registry import BenchContext, BenchSection, Metric, benchmark
from c360.config import Settings, platform_settings
from c360.engines.duckdb import DuckDBSession
from c360.errors import C360Error
from c360.names import CUSTOMERS_KEY
from c360.percentiles import percentile
from c360.sqlfiles import load_sql
from generators.batches import BatchWindow, generate_batch

LATENCY_BATCHES = 20
BATCH_ROWS = 750
LARGE_FILE_ROWS = 1_000_000
LATENCY_TARGET_S = 10.0
THROUGHPUT_TARGET = 50_000.0


@benchmark("streaming", "Streaming ingestion: landing -> gold latency and large-file throughput", order=40)
def bench_streaming(ctx: BenchContext) -> BenchSection:
    source = ensure_platform(ctx)
    home = ctx.fresh_home("streaming")
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(source.home, home, ignore=shutil.ignore_patterns("*.wal", ".*", "snapshots"))
    settings = platform_settings(Settings.load(target="local", home=home, env={}))

    stream = run_child(
        c360_command(
            "stream",
            "--batches",
            str(LATENCY_BATCHES),
            "--interval",
            "0",
            "--size",
            str(BATCH_ROWS),
            "--home",
            str(home),
            "--format",
            "json",
        )
    )
    if stream.returncode != 0:
        raise C360Error(f"c360 stream failed: {_tail(stream.stderr)}")
    batches = stream.json()["batches"]
    gold = [float(b["seconds_to_gold"]) for b in batches if b["seconds_to_gold"] is not None]
    if len(gold) != LATENCY_BATCHES:
        raise C360Error(f"only {len(gold)} of {LATENCY_BATCHES} batches reached gold")

    throughput, walls, rss = [], [], []
    for run in range(ctx.runs):
        path = ctx.work_dir / f"large-{run}.csv"
        rows = _large_file(settings, path, run)
        ingest = run_child(
            c360_command("ingest", str(path), "--no-refresh", "--home", str(home), "--format", "json")
        )
        path.unlink(missing_ok=True)
        if ingest.returncode != 0:
            raise C360Error(f"c360 ingest failed: {_tail(ingest.stderr)}")
        (loaded,) = ingest.json()["files"]
        if loaded["loaded"] != rows:
            raise C360Error(
                f"large file: {loaded['loaded']:,} of {rows:,} rows loaded ({loaded['first_error']})"
            )
        throughput.append(rows / float(loaded["seconds"]))
        walls.append(ingest.seconds)
        rss.append(ingest.peak_rss_mb)
    shutil.rmtree(home, ignore_errors=True)

    def component(name: str) -> tuple[float, ...]:
        return tuple(float(b[name]) for b in batches)

    return BenchSection(
        "streaming",
        "Streaming ingestion: landing -> gold latency and large-file throughput",
        metrics=[
            Metric("landing -> gold latency per batch", "s", tuple(gold), target=LATENCY_TARGET_S),
            Metric(
                f"landing -> gold p95 over {LATENCY_BATCHES} batches",
                "s",
                (percentile(gold, 95),),
                target=LATENCY_TARGET_S,
            ),
            Metric(
                "landing -> bronze per batch (pipe: event, parse, checks, one-transaction load)",
                "s",
                component("seconds_to_bronze"),
            ),
            Metric("  incremental gold refresh per batch", "s", component("refresh_seconds")),
            Metric("  reader snapshot publish per batch", "s", component("snapshot_seconds")),
            Metric(
                f"large-file ingestion ({LARGE_FILE_ROWS / 1e6:g}M rows, parse + checks + load + commit)",
                "rows/s",
                tuple(throughput),
                target=THROUGHPUT_TARGET,
                higher_is_better=True,
            ),
            Metric(
                "  `c360 ingest` wall time for the large file (incl. interpreter start)", "s", tuple(walls)
            ),
            Metric("  `c360 ingest` peak RSS for the large file", "MB", tuple(rss)),
        ],
        notes=[
            f"Full-scale platform ({settings.scale.customers:,} customers, as-of {settings.scale.as_of}); "
            f"{LATENCY_BATCHES} batches of ~{BATCH_ROWS} rows streamed back to back (`c360 stream --interval 0`): "
            "generate -> land -> event -> pipe -> bronze -> incremental dbt refresh -> snapshot published. "
            "Latency = from the object's landing (event time) to the moment readers can see the refreshed gold.",
            f"Median latency {statistics.median(gold):.2f} s, p95 {percentile(gold, 95):.2f} s, "
            f"max {max(gold):.2f} s (target p95 <= {LATENCY_TARGET_S:g} s; Snowpipe's promise in the original "
            "design was < 5 minutes).",
            f"Large file: {LARGE_FILE_ROWS:,} generated rows (~100 MB CSV) loaded by `c360 ingest --no-refresh` "
            f"into the full-scale bronze table; rows/s = rows / the pipe's load time for the file.",
        ],
    )


def _large_file(settings: Settings, path: Path, run: int) -> int:
    """~LARGE_FILE_ROWS rows from the batch generator in one-minute windows two days back (new ids, never
    in the future, never overlapping the hourly stream's windows of the same run)."""
    with DuckDBSession.open(settings.warehouse_path, read_only=True) as session:
        customers = session.query(load_sql("pipe/stream_customers"), [CUSTOMERS_KEY])
    scale = settings.scale
    start = (datetime.now() - timedelta(days=2)).replace(minute=0, second=0, microsecond=0) + timedelta(
        hours=run
    )
    rows, per_window, k = 0, 80_000, 0
    with path.open("wb") as out:
        while rows < LARGE_FILE_ROWS:
            window = BatchWindow(start + timedelta(minutes=k), start + timedelta(minutes=k + 1))
            size = min(per_window, LARGE_FILE_ROWS - rows)
            batch = generate_batch(
                customers, window, seed=scale.seed, as_of=scale.as_of, months=scale.months, size=size
            )
            out.write(batch.body if k == 0 else batch.body.split(b"\n", 1)[1])
            rows += batch.rows
            k += 1
    return rows


def _tail(stderr: str, lines: int = 6) -> str:
    """The end of a child's stderr without the RSS marker line."""
    kept = [line for line in stderr.strip().splitlines() if line.strip() and not line.startswith(RSS_MARKER)]
    return " | ".join(kept[-lines:])
