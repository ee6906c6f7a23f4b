"""Streaming: landing -> gold latency of hourly batches and sustained large-file ingestion, at full scale;
and crash safety: the ingest path killed at random points and run on a full disk (fault injection).

Both run on a private copy of the full-scale bench platform (built with `c360 up` when missing), through
the real CLI in a child process: `c360 stream` for 20 batches of ~750 rows (back to back, gold refreshed
and a reader snapshot published after every batch), then `c360 ingest` of a 1M-row file.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
from datetime import datetime, timedelta
from pathlib import Path

from c360.bench.measure import RSS_MARKER, c360_command, run_child
from c360.bench.platform import ensure_platform, up_command
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
            Metric(
                "  incremental gold refresh per batch (to its last model's commit)",
                "s",
                component("refresh_seconds"),
            ),
            Metric("  reader snapshot publish per batch", "s", component("snapshot_seconds")),
            Metric(
                "dbt's on-run-end hooks per batch, after readers see gold (not in landing -> gold)",
                "s",
                component("hooks_seconds"),
            ),
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


FAULT_KILLS = 50
FAULT_PLATFORM_CUSTOMERS = 1_000


@benchmark(
    "fault_injection",
    "Crash safety: the ingest path killed at random points, a full disk (fault injection)",
    order=41,
)
def bench_fault_injection(ctx: BenchContext) -> BenchSection:
    """At least FAULT_KILLS SIGKILLs of the real `c360 stream` process at random kill points, then the
    full-disk scenario, on a private 1,000-customer platform (every kill round runs a gold refresh and
    publishes to readers; at full scale each round would take seconds more and prove nothing more)."""
    from c360.bench.faultinjection import CliChild, as_json, run_campaign
    from c360.bench.fulldisk import run_full_disk

    load_at_start = os.getloadavg()
    home = ctx.fresh_home("fault-injection")
    shutil.rmtree(home, ignore_errors=True)
    scale = ctx.settings.scale.model_copy(update={"customers": FAULT_PLATFORM_CUSTOMERS})
    built = run_child(up_command(scale, home))
    if built.returncode != 0:
        raise C360Error(f"building the fault-injection platform failed: {_tail(built.stderr)}")
    settings = platform_settings(Settings.load(target="local", home=home, env={}, create_home=False))
    disk_source = ctx.work_dir / "fault-injection-clean"
    shutil.copytree(home, disk_source, ignore=shutil.ignore_patterns("*.wal", ".*"))

    campaign = run_campaign(settings, kills=FAULT_KILLS, runner=CliChild(), seed=ctx.settings.scale.seed)
    summary = campaign.summary()
    (ctx.work_dir / "fault-injection.json").write_text(json.dumps(as_json(campaign), indent=2, default=str))
    disk = run_full_disk(
        platform_settings(Settings.load(target="local", home=disk_source, env={}, create_home=False)),
        ctx.work_dir / "full-disk",
    )
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(disk_source, ignore_errors=True)

    kill_rounds = [r.seconds for r in campaign.rounds if r.killed]
    recovery = [r.seconds for r in campaign.recovery]
    reader = campaign.reader
    metrics = [
        Metric("kills survived (SIGKILL, then a restart)", "kills", (float(campaign.kills),), target=FAULT_KILLS, higher_is_better=True),
        Metric("records lost", "records", (float(campaign.accounting.lost),), target=0.0),
        Metric("records doubled", "records", (float(campaign.accounting.doubled),), target=0.0),
        Metric("files loaded twice (LOAD_HISTORY)", "files", (float(campaign.accounting.recorded_twice),), target=0.0),
        Metric("customers where gold does not reconcile with silver", "customers", (float(campaign.accounting.gold_mismatches),), target=0.0),
        Metric("half-published states a reader saw", "states", (float(reader.violation_count if reader else -1),), target=0.0),
        Metric("rounds that failed without being killed", "rounds", (float(len(campaign.failed_rounds)),), target=0.0),
        Metric("  one round until the kill (start, work, SIGKILL)", "s", tuple(kill_rounds) or (0.0,)),
        Metric("  the recovery run after the last kill", "s", tuple(recovery) or (0.0,)),
    ]  # fmt: skip
    status = campaign.status
    metrics.append(
        Metric("`c360 status` after the recovery agrees with the alerts (exit 2 while a critical one is open)", "checks", (float(bool(status and status.consistent and status.queue_empty)),), target=1.0, higher_is_better=True)
    )  # fmt: skip
    if disk.available:
        metrics += [
            Metric(f"full disk: runs with a clear error or success (of {len(disk.runs)})", "runs", (float(sum(r.clear for r in disk.runs)),), target=float(len(disk.runs)), higher_is_better=True),
            Metric(f"full disk: runs after which readers kept a whole snapshot (of {len(disk.runs)})", "runs", (float(sum(r.readers_kept for r in disk.runs)),), target=float(len(disk.runs)), higher_is_better=True),
            Metric("full disk: records lost", "records", (float(disk.accounting.lost if disk.accounting else -1),), target=0.0),
            Metric("full disk: records doubled", "records", (float(disk.accounting.doubled if disk.accounting else -1),), target=0.0),
            Metric(f"full disk: next runs that recovered by themselves (of {len(disk.runs)})", "runs", (float(sum(r.recovered for r in disk.runs)),), target=float(len(disk.runs)), higher_is_better=True),
        ]  # fmt: skip
    tables = {
        "kills by point (c360/faults.py)": [
            {"point": point, "kills": count} for point, count in campaign.kills_by_point().items()
        ],
        "full disk: one `c360 ingest` of three files per case, `c360 status`, then the next run": [
            {
                "disk full": run.case.label,
                "how": run.case.how(),
                "exit code": run.exit_code,
                "files landed / loaded": f"{run.landed} / {run.loaded}",
                "first reason": (
                    _without_paths(run.failures[0], ctx.work_dir)[:160]
                    if run.failures
                    else "loaded and published"
                ),
                "readers' snapshot": _snapshots(run.published_before, run.published_after),
                "status: waiting / exit": (
                    f"{run.status.waiting + run.status.in_flight} / {run.status.exit_code}"
                    if run.status
                    else "-"
                ),
                "next run exit code": run.recovery_exit_code,
            }
            for run in disk.runs
        ],
    }
    return BenchSection(
        "fault_injection",
        "Crash safety: the ingest path killed at random points, a full disk (fault injection)",
        metrics=metrics,
        tables=tables,
        notes=[
            f"Platform: {FAULT_PLATFORM_CUSTOMERS:,} customers (as-of {settings.scale.as_of}), built by `c360 up`. "
            f"{campaign.kills} kills over {len(campaign.rounds)} rounds ({summary['seconds']} s, seed "
            f"{ctx.settings.scale.seed}): each round lands, every third also an awkward file (a quoted field with "
            "a line break, quoted delimiters and doubled quotes, a bad amount, an unclosed quote, an unknown "
            "customer; CRLF, BOM or gzip at random, sometimes delivered twice), every fourth a `;`-separated "
            "export that fails as a whole, then runs the real `c360 stream --batches 1` with "
            "C360_KILL_AT=<point>@<n> drawn at random; the process SIGKILLs itself there. One more plain run "
            "recovers. The warehouse is the DuckLake (SQLite catalog + Parquet); readers are pinned to the "
            "snapshot named in warehouse/published.json.",
            f"Accounting on the published state after recovery: {campaign.accounting.files} files, "
            f"{campaign.accounting.records:,} records: {campaign.accounting.in_bronze:,} in bronze, "
            f"{campaign.accounting.in_quarantine:,} quarantined, {campaign.accounting.lost} lost, "
            f"{campaign.accounting.doubled} doubled; {campaign.accounting.redeliveries_skipped} re-deliveries "
            f"skipped; {campaign.accounting.files_failed} files failed as a whole (all records quarantined; "
            f"{campaign.failed_exports} `;`-separated exports were landed to fail); "
            f"{campaign.redriven} dead letters re-driven by the recovery.",
            "Alerts fired during the campaign: "
            + (", ".join(f"{rule} x{n}" for rule, n in campaign.alerts_fired.items()) or "none")
            + (
                f". `c360 status` after the recovery: exit {status.exit_code}, critical alerts open: "
                f"{', '.join(status.critical_alerts) or 'none'} (breached on the published data: "
                f"{', '.join(status.breached_critical or ()) or 'none'}); queue: {status.waiting} waiting, "
                f"{status.in_flight} in flight, {status.failed} failed."
                if status
                else "."
            ),
            (
                f"A reader process opened what readers see {reader.observations:,} times during the campaign "
                f"({reader.snapshots} published snapshots, {reader.states} distinct states, {reader.error_count} "
                "open errors) and checked each: bronze = LOAD_HISTORY, silver = bronze, gold = silver per "
                "customer; a snapshot reads the same every time; the published snapshot never goes back; the "
                "publication record is never half written."
                if reader
                else "No reader ran."
            ),
            f"Full disk: {disk.mode}." + (f" {disk.seconds:.0f} s." if disk.available else ""),
            "Load average (1, 5, 15 min) at the start of the run: {:.1f}, {:.1f}, {:.1f}; at its end: {:.1f}, "
            "{:.1f}, {:.1f} (the machine is shared: round times vary with it; the counts do not).".format(
                *load_at_start, *os.getloadavg()
            ),
        ]
        + (
            [f"Problems: {'; '.join(campaign.accounting.problems[:5])}"]
            if campaign.accounting.problems
            else []
        ),
    )


def _without_paths(text: str, work: Path) -> str:
    """A reason without this machine's scratch paths (input files are shown by name)."""
    return text.replace(f"{work / 'full-disk' / 'inputs'}/", "").replace(f"{work}/", "")


def _snapshots(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return "none published"
    return f"kept {before}" if before == after else f"{before} -> {after}"
