"""Streaming on a built 1,000-customer platform (a private copy of the session platform)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c360.cli.main import app
from c360.config import Settings, platform_settings
from c360.engines.readers import open_reader
from c360.errors import C360Error
from c360.steps.pipeline import UpReport
from c360.steps.streaming import ingest, open_landing, open_queue, stream
from tests.conftest import AS_OF
from tests.unit.pipe_harness import csv_body, row

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture
def home(platform: UpReport, platform_settings: Settings, tmp_path: Path) -> Settings:
    """A writable copy of the session platform (the session platform itself stays read-only)."""
    target = tmp_path / "home"
    shutil.copytree(platform_settings.home, target, ignore=shutil.ignore_patterns("*.wal", ".*"))
    return platform_settings_for(target)


def platform_settings_for(home: Path) -> Settings:
    return platform_settings(Settings.load(target="local", home=home, env={}))


def reader_counts(settings: Settings) -> dict[str, int]:
    session = open_reader(settings)
    try:
        frame = session.query(
            "select (select count(*) from BRONZE.BRONZE_TRANSACTIONS where source_file like 'transactions/streaming/%') "
            "as bronze, (select coalesce(sum(rows_loaded), 0) from OBSERVABILITY.LOAD_HISTORY "
            "where file_name like 'transactions/streaming/%') as loaded, "
            "(select count(*) from OBSERVABILITY.QUARANTINE where row_number > 0) as quarantined"
        )
    finally:
        session.close()
    return {k: int(v) for k, v in frame.iloc[0].items()}


def test_stream_lands_loads_quarantines_and_publishes_each_batch(home: Settings) -> None:
    seen: list[dict[str, int]] = []

    def after_batch(event: str, payload: object) -> None:
        if event == "batch":
            seen.append(reader_counts(home))  # what a reader sees right after the cycle

    report = stream(home, batches=3, size=300, anomalies=4, refresh_gold=None, progress=after_batch)
    assert [b.window_start for b in report.batches] == [
        datetime.combine(AS_OF, datetime.min.time()) + timedelta(hours=h) for h in range(3)
    ]
    for batch in report.batches:
        assert batch.rows_loaded + batch.rows_quarantined == batch.rows_in_file
        assert batch.rows_quarantined == 4 and batch.status == "PARTIALLY_LOADED"
        assert batch.seconds_to_bronze >= 0 and batch.gold_at is None
    loaded = [sum(b.rows_loaded for b in report.batches[: i + 1]) for i in range(3)]
    assert [s["bronze"] for s in seen] == loaded == [s["loaded"] for s in seen]
    assert [s["quarantined"] for s in seen] == [4, 8, 12]

    again = stream(home, batches=1, size=300, refresh_gold=None)  # a new run continues the stream clock
    assert again.batches[0].window_start == report.batches[-1].window_start + timedelta(hours=1)


def test_cli_stream_and_ingest_report_json(home: Settings, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "stream",
            "--batches",
            "2",
            "--interval",
            "0",
            "--size",
            "200",
            "--no-refresh",
            "--home",
            str(home.home),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    streamed = json.loads(result.stdout)
    assert streamed["summary"]["batches"] == 2 and len(streamed["batches"]) == 2
    assert all(b["loaded"] + b["quarantined"] == b["rows"] for b in streamed["batches"])

    good = tmp_path / "manual.csv"
    good.write_bytes(csv_body(row("TXSMANUAL1", customer="CUST00000001"), row("TXSMANUAL2", amount="abc")))
    bad = tmp_path / "semicolons.csv"
    bad.write_bytes(b"transaction_id;customer_id\nTXSMANUAL3;CUST00000001\n")
    args = [
        "ingest",
        str(good),
        str(bad),
        str(good),
        "--no-refresh",
        "--home",
        str(home.home),
        "--format",
        "json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert [
        (f["path"], f["rows"], f["loaded"], f["quarantined"], f["skipped_duplicate_file"]) for f in files
    ] == [
        (str(good), 2, 1, 1, False),
        (str(bad), 1, 0, 1, False),
        (str(good), 0, 0, 0, True),
    ]
    assert files[0]["reasons"] == {"BAD_AMOUNT": 1}
    assert files[1]["reasons"] == {"WRONG_DELIMITER": 2}  # the data row and the file-level finding
    assert files[1]["status"] == "LOAD_FAILED"

    status = runner.invoke(app, ["status", "--home", str(home.home), "--format", "json"])
    assert status.exit_code == 2, status.output  # the failed file fired a critical alert (issue 16)
    sections = json.loads(status.stdout)
    assert "pipe_failure_rate" in {a["rule_name"] for a in sections["alerts"]["open"]}
    health = {r["time_window"]: r for r in sections["pipe"]}
    assert health["all time"]["files"] == 4 and health["all time"]["duplicate_deliveries"] == 1
    assert health["last hour"]["rows_loaded"] == sum(b["loaded"] for b in streamed["batches"]) + 1
    reasons = {r["reason_code"]: r for r in sections["quarantine by reason"]}
    assert reasons["BAD_AMOUNT"]["rows"] == 1 and reasons["WRONG_DELIMITER"]["file_level"] == 1
    assert len(sections["recent file loads"]) == 5

    missing = runner.invoke(app, ["ingest", str(tmp_path / "nope.csv"), "--home", str(home.home)])
    assert missing.exit_code == 1 and "not a readable file" in missing.output


READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from c360.config import Settings
    from c360.engines.readers import open_reader
    from c360.snapshots import latest_snapshot

    settings = Settings.load(target="local", home=sys.argv[1], env={})
    stop = Path(sys.argv[2])
    ok, errors, inconsistent = 0, [], 0
    session, version = None, None
    while not stop.exists():
        try:
            current = latest_snapshot(settings).stat().st_mtime_ns  # as the app does: a new session per
            if session is None or current != version:  # publication (opening one loads the extensions)
                if session is not None:
                    session.close()
                session, version = open_reader(settings), current
            bronze, loaded = session.query(
                "select (select count(*) from BRONZE.BRONZE_TRANSACTIONS "
                "where source_file like 'transactions/streaming/%'), "
                "(select coalesce(sum(rows_loaded), 0) from OBSERVABILITY.LOAD_HISTORY "
                "where file_name like 'transactions/streaming/%')"
            ).iloc[0].tolist()
            ok += 1
            inconsistent += int(bronze != loaded)
            if ok == 1:
                print("ready", flush=True)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    if session is not None:
        session.close()
    print(json.dumps({"ok": ok, "errors": errors[:5], "error_count": len(errors), "inconsistent": inconsistent}))
    """
)


def test_readers_keep_answering_while_streaming_writes(home: Settings, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home.home), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
        report = stream(home, batches=4, interval=0.5, size=300, refresh_gold=None)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    result = json.loads(out)
    assert result["error_count"] == 0, result["errors"]
    assert result["ok"] > 10 and result["inconsistent"] == 0
    assert len(report.batches) == 4
    sql = runner.invoke(
        app,
        [
            "sql",
            "select count(*) as n from bronze.bronze_transactions",
            "--home",
            str(home.home),
            "--format",
            "json",
        ],
    )
    assert sql.exit_code == 0, sql.output


def test_gold_refresh_runs_after_each_pipe_run_and_catches_up_after_a_failure(home: Settings) -> None:
    from c360.engines.duckdb import DuckDBSession
    from c360.errors import C360Error

    calls: list[int] = []

    def failing_refresh(settings: Settings) -> str:
        calls.append(len(calls))
        raise C360Error("dbt failed (simulated)")

    with pytest.raises(C360Error, match="simulated"):
        stream(home, batches=1, size=100, refresh_gold=failing_refresh)

    def refresh(settings: Settings) -> str:
        # dbt runs with the writer closed: it can open the warehouse itself
        with DuckDBSession.open(settings.warehouse_path) as session:
            calls.append(int(session.scalar("select count(*) from BRONZE.BRONZE_TRANSACTIONS") or 0))
        return "ok"

    report = stream(home, batches=2, size=100, refresh_gold=refresh)
    assert len(calls) == 3  # the failed one, then one per batch
    assert all(
        b.seconds_to_gold is not None and b.seconds_to_gold >= b.seconds_to_bronze for b in report.batches
    )
    with DuckDBSession.open(home.warehouse_path, read_only=True) as session:
        stamped = session.query(
            "select file_name, gold_refreshed_at from OBSERVABILITY.LOAD_HISTORY "
            "where file_name like 'transactions/streaming/%' order by loaded_at"
        )
    assert len(stamped) == 3 and stamped["gold_refreshed_at"].notna().all()  # the first batch caught up
    assert report.summary()["landing_to_gold_p95_seconds"] is not None


HOLD_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from c360.engines.duckdb import DuckDBSession

    session = DuckDBSession.open(Path(sys.argv[1]))  # another writer (e.g. `c360 up`) holds the file
    print("holding", flush=True)
    sys.stdin.read()
    session.close()
    """
)


def test_ingest_while_another_writer_holds_the_warehouse_queues_the_file(
    home: Settings, tmp_path: Path
) -> None:
    late = tmp_path / "late.csv"
    late.write_bytes(csv_body(row("TXSLATE1", customer="CUST00000002")))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER, str(home.warehouse_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        result = runner.invoke(
            app, ["ingest", str(late), "--no-refresh", "--home", str(home.home), "--format", "json"]
        )
    finally:
        holder.communicate("", timeout=60)
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["files"][0]["status"] == "QUEUED"
    assert "busy or unavailable" in payload["failures"][0]
    assert any("events stay queued" in failure for failure in payload["failures"])

    report = stream(home, batches=1, size=50, refresh_gold=None)  # the next pipe run loads it
    assert report.batches[0].other_files == 1
    assert reader_counts(home)["bronze"] == report.batches[0].rows_loaded + 1


def test_stream_drains_a_backlog_of_more_than_ten_queued_files_in_one_call(home: Settings) -> None:
    """SQS hands out at most 10 messages per receive: `c360 stream` keeps receiving until the queue is
    empty, so 25 files landed before it (e.g. while it was down) all load with its first batch."""
    queue = open_queue(home)
    landing = open_landing(home, queue)
    keys = []
    for i in range(25):
        key = f"transactions/streaming/2026/10/15/08/backlog-{i:02d}.csv"
        landing.put_bytes(key, csv_body(row(f"TXSBACKLOG{i:02d}", customer=f"CUST{1 + i % 10:08d}")))
        keys.append(key)
    assert queue.depth().visible == 25

    args = ["--batches", "1", "--interval", "0", "--size", "50", "--no-refresh", "--format", "json"]
    result = runner.invoke(app, ["stream", *args, "--home", str(home.home)])

    assert result.exit_code == 0, result.output
    batch = json.loads(result.stdout)["batches"][0]
    assert batch["other_files"] == 25 and batch["loaded"] + batch["quarantined"] == batch["rows"]
    depth = queue.depth()
    assert (depth.visible, depth.in_flight, depth.dead) == (0, 0, 0)
    session = open_reader(home)
    try:
        loaded = session.query(
            "select file_name, rows_loaded from OBSERVABILITY.LOAD_HISTORY where file_name like '%backlog-%'"
        )
    finally:
        session.close()
    assert sorted(loaded["file_name"]) == keys and set(loaded["rows_loaded"]) == {1}
    assert reader_counts(home)["bronze"] == batch["loaded"] + 25


class PublishesThenHookFails:
    """A gold refresh whose models all committed (it calls the Streamer's early publish, as DbtGoldRefresh
    does after the last model) and whose on-run-end hooks then fail."""

    def __init__(self) -> None:
        self.publish: Callable[[], None] | None = None

    def bind_gold_complete(self, callback: Callable[[], None]) -> None:
        self.publish = callback

    def __call__(self, settings: Settings) -> str:
        assert self.publish is not None
        self.publish()
        raise C360Error("on-run-end hook failed (simulated)")


def test_ingest_says_readers_see_gold_when_only_the_bookkeeping_after_it_failed(
    home: Settings, tmp_path: Path
) -> None:
    late = tmp_path / "hooked.csv"
    late.write_bytes(csv_body(row("TXSHOOK1", customer="CUST00000003")))
    before = reader_counts(home)["bronze"]
    report = ingest(home, [late], refresh_gold=PublishesThenHookFails())
    (failure,) = [f for f in report.failures if "gold was" in f]
    assert "gold was refreshed and readers see it since" in failure, report.failures
    assert "on-run-end hook failed (simulated)" in failure and "next run stamps them" in failure
    assert report.gold_at is None
    assert reader_counts(home)["bronze"] == before + 1  # the early publish made the batch visible


class PublishesThenSlowHooks:
    """A gold refresh whose models all committed (the early publish) and whose on-run-end hooks then take
    `hooks` seconds: readers see gold before them, so landing -> gold must not count them."""

    def __init__(self, hooks: float) -> None:
        self.hooks = hooks
        self.publish: Callable[[], None] | None = None
        self.published_by: datetime | None = None

    def bind_gold_complete(self, callback: Callable[[], None]) -> None:
        self.publish = callback

    def __call__(self, settings: Settings) -> str:
        assert self.publish is not None
        self.publish()
        self.published_by = datetime.now()
        time.sleep(self.hooks)
        return "ok"


def test_the_hooks_after_the_early_publish_are_reported_apart_from_landing_to_gold(home: Settings) -> None:
    refresh = PublishesThenSlowHooks(hooks=1.5)
    (batch,) = stream(home, batches=1, size=100, refresh_gold=refresh).batches
    assert refresh.published_by is not None and batch.gold_at is not None
    assert batch.gold_at <= refresh.published_by  # readers saw gold before the hooks began
    assert batch.hooks_seconds >= 1.5  # the hooks' time is reported apart ...
    assert batch.refresh_seconds < 1.5  # ... and not as refresh time
    assert batch.as_dict()["hooks_seconds"] == round(batch.hooks_seconds, 3)
