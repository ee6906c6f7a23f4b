"""`c360 ingest` on a small home: any number of files in one call, and no traceback for data or usage
problems (the JSON report is always printed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c360.cli.main import app
from c360.config import Settings
from c360.engines.readers import open_reader
from c360.landing.queue import LocalNotificationQueue
from c360.landing.statuscheck import alerts_fired, parse_status, run_status
from c360.storage.local import LocalObjectStore
from tests.unit.pipe_harness import PipeHarness, csv_body, row

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path) -> Settings:
    return PipeHarness(tmp_path / "home").as_platform()


def ingest(home: Settings, *args: str) -> tuple[int, dict[str, object], str]:
    result = runner.invoke(
        app, ["ingest", *args, "--no-refresh", "--home", str(home.home), "--format", "json"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    payload = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, payload, result.stderr


def counts(home: Settings) -> tuple[int, int, int]:
    """(bronze rows, quarantined rows, LOAD_HISTORY rows) as readers see them (the published snapshot)."""
    reader = open_reader(home)
    try:
        row = reader.query(
            "select (select count(*) from BRONZE.BRONZE_TRANSACTIONS) as bronze, (select count(*) from "
            "OBSERVABILITY.QUARANTINE where row_number > 0) as quarantined, "
            "(select count(*) from OBSERVABILITY.LOAD_HISTORY) as history"
        ).iloc[0]
    finally:
        reader.close()
    return int(row["bronze"]), int(row["quarantined"]), int(row["history"])


@pytest.mark.slow  # ~30 ms per file (one transaction and one fsync'd queue message each)
def test_a_thousand_files_in_one_call(home: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    paths = []
    for i in range(1000):
        path = folder / f"t{i:04d}.csv"
        path.write_bytes(
            csv_body(row(f"TXS{i:05d}A", customer=f"CUST{1 + i % 10:08d}"), row(f"TXS{i:05d}B", amount="x"))
        )
        paths.append(str(path))

    code, report, stderr = ingest(home, *paths)

    assert code == 0, stderr
    files = report["files"]
    assert len(files) == 1000 and report["failures"] == []
    assert {(f["status"], f["rows"], f["loaded"], f["quarantined"]) for f in files} == {
        ("PARTIALLY_LOADED", 2, 1, 1)
    }
    assert [f["path"] for f in files] == paths
    assert counts(home) == (1000, 1000, 1000)
    depth = LocalNotificationQueue(home.queue_dir).depth()
    assert (depth.visible, depth.in_flight, depth.dead) == (0, 0, 0)


def test_usage_problems_are_one_line_errors(home: Settings, tmp_path: Path) -> None:
    for args in ([str(tmp_path)], [str(tmp_path / "missing.csv")], []):
        result = runner.invoke(app, ["ingest", *args, "--home", str(home.home)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output and "error:" in result.output
    nowhere = runner.invoke(app, ["ingest", str(tmp_path / "x.csv"), "--home", str(tmp_path / "no-home")])
    assert nowhere.exit_code == 1 and "Traceback" not in nowhere.output


def test_stream_usage_problems_are_errors_without_a_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for where in (tmp_path / "no-home", empty):  # nothing built there: one line, exit 1
        result = runner.invoke(app, ["stream", "--interval", "0", "--home", str(where)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output and "run `c360 up` first" in result.output
    for args in (["--batches", "0"], ["--size", "-3"], ["--interval", "-1"]):  # typer's usage errors
        result = runner.invoke(app, ["stream", *args, "--home", str(empty)])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert "Invalid value for '" + args[0] + "'" in result.output


def test_files_with_the_same_name_from_two_folders_both_load(home: Settings, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "day.csv", tmp_path / "b" / "day.csv"
    for path, txn in ((first, "TXSA1"), (second, "TXSB1")):
        path.parent.mkdir()
        path.write_bytes(csv_body(row(txn)))
    code, report, _ = ingest(home, str(first), str(second), str(first))
    assert code == 0
    keys = [f["file"] for f in report["files"]]
    assert keys[0] == keys[2] != keys[1] and keys[1].endswith(".csv")
    assert [f["status"] for f in report["files"]] == ["LOADED", "LOADED", "SKIPPED_DUPLICATE"]
    assert counts(home)[0] == 2


def test_an_event_lost_after_the_object_landed_is_queued_by_the_next_run(home: Settings) -> None:
    silent = LocalObjectStore(home.lake_dir)  # stores without notifying: the process died in between
    key = "transactions/streaming/2026/10/15/09/orphan.csv"
    silent.put_bytes(key, csv_body(row("TXSORPHAN")))
    code, report, _ = ingest(home, "--rescan")
    assert code == 0 and report["rescanned"] == [key]
    assert [(f["file"], f["status"]) for f in report["other_files"]] == [(key, "LOADED")]
    code, report, _ = ingest(home, "--rescan")  # loaded now: nothing to queue
    assert code == 0 and report["rescanned"] == [] and report["other_files"] == []


def test_a_corrupt_queue_message_is_rejected_and_its_file_still_loads(home: Settings, tmp_path: Path) -> None:
    store = LocalObjectStore(home.lake_dir)
    key = "transactions/streaming/2026/10/15/09/corrupt-event.csv"
    store.put_bytes(key, csv_body(row("TXSCORRUPT")))
    (home.queue_dir / "ready").mkdir(parents=True, exist_ok=True)
    (home.queue_dir / "ready" / "00000000000000001-deadbeef0000~0.json").write_bytes(b'{"id": "x", "bo\xff')
    good = tmp_path / "good.csv"
    good.write_bytes(csv_body(row("TXSGOOD")))

    code, report, stderr = ingest(home, str(good))

    assert code == 0, stderr
    assert len(report["rejected_messages"]) == 1 and "not JSON" in report["rejected_messages"][0]
    assert report["rescanned"] == [key]  # its event was never readable: queued again
    assert {f["file"]: f["status"] for f in report["other_files"]} == {key: "LOADED"}
    assert report["files"][0]["status"] == "LOADED"
    assert counts(home)[0] == 2


def test_status_lists_files_waiting_in_flight_and_failed_with_the_redrive_command(home: Settings) -> None:
    queue = LocalNotificationQueue(home.queue_dir, max_receives=1)
    store = LocalObjectStore(home.lake_dir, listeners=[queue.listener("transactions/streaming/")])
    prefix = "transactions/streaming/2026/10/15/09/"
    store.put_bytes(prefix + "failed.csv", csv_body(row("TXSF")))
    queue.receive(1, visibility_timeout=0)  # a delivery that failed: with max_receives=1 it is dead next
    store.put_bytes(prefix + "in-flight.csv", csv_body(row("TXSI")))
    queue.receive(1, visibility_timeout=600)  # a pipe run holds it
    store.put_bytes(prefix + "waiting.csv", csv_body(row("TXSW")))
    queue.send("not an event")
    assert queue.depth().dead == 1

    result = runner.invoke(app, ["status", "--home", str(home.home), "--format", "json"])
    assert result.exit_code == 0, result.output
    section = json.loads(result.stdout)["ingest queue"]
    states = {f["file"]: f["state"] for f in section["files"]}
    assert states[prefix + "failed.csv"] == "failed"
    assert states[prefix + "in-flight.csv"] == "in flight"
    assert states[prefix + "waiting.csv"] == "waiting"
    assert any(f.startswith("(not an S3 event") for f in states)
    assert (section["waiting"], section["in_flight"], section["failed"]) == (2, 1, 1)
    assert section["redrive_command"] == "c360 ingest --redrive"

    text = runner.invoke(app, ["status", "--home", str(home.home)])
    assert "1 failed" in text.stdout and "c360 ingest --redrive" in text.stdout

    code, report, _ = ingest(home, "--redrive")
    assert code == 0 and report["redriven"] == 1
    loaded = {f["file"]: f["status"] for f in report["other_files"]}
    assert loaded[prefix + "failed.csv"] == "LOADED" and loaded[prefix + "waiting.csv"] == "LOADED"


def test_status_exits_2_while_a_failed_file_keeps_the_critical_pipe_alert_open(
    home: Settings, tmp_path: Path
) -> None:
    """What the crash-safety harnesses expect of `c360 status` (c360/landing/statuscheck.py): a file whose
    every record is quarantined is LOAD_FAILED, which fires the critical pipe_failure_rate; the command
    then exits 2 and lists it, and the harness's check agrees."""
    bad = tmp_path / "all-bad.csv"
    bad.write_bytes(csv_body(row("TXSBAD1", amount="abc"), row("TXSBAD2", amount="-1.00")))
    code, report, _ = ingest(home, str(bad))
    assert code == 0 and report["files"][0]["status"] == "LOAD_FAILED"

    check = run_status(home)

    assert check.exit_code == 2 and "pipe_failure_rate" in check.critical_alerts, check
    assert check.consistent and check.queue_empty, check
    assert alerts_fired(home.home) == {"pipe_failure_rate": 1}


def test_the_status_check_flags_an_exit_code_that_disagrees_with_the_open_alerts() -> None:
    shown = json.dumps(
        {
            "alerts": {"open": [{"rule_name": "pipe_failure_rate", "severity": "critical"}]},
            "ingest queue": {"waiting": 1, "in_flight": 0, "failed": 0},
        }
    )
    assert parse_status(2, shown).consistent
    assert not parse_status(0, shown).consistent  # a critical alert open, yet "all is well"
    quiet = json.dumps({"alerts": {"open": [{"rule_name": "duplicate_rate", "severity": "warning"}]}})
    assert parse_status(0, quiet).consistent and not parse_status(2, quiet).consistent
    assert not parse_status(0, shown).queue_empty and parse_status(0, quiet).queue_empty
    unreadable = parse_status(1, "", "error: no local warehouse")
    assert not unreadable.consistent and "no local warehouse" in unreadable.error
