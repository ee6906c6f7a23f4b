"""Exactly-once file loads: duplicate notifications, consumer crashes before the ack, crashes mid-load."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from c360.engines.duckdb import DuckDBSession
from c360.landing.queue import LocalNotificationQueue, Message
from c360.storage.local import LocalObjectStore
from tests.unit.pipe_harness import Clock, PipeHarness, csv_body, row

ROWS = [row(f"TXS{i:04d}", customer=f"CUST{1 + i % 10:08d}") for i in range(1, 51)]
BODY = csv_body(*ROWS, row("TXS9999", amount="abc"))  # 50 good rows + 1 quarantined


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an error the pipe may catch."""


@pytest.fixture
def pipe(tmp_path: Path) -> PipeHarness:
    harness = PipeHarness(tmp_path)
    yield harness
    harness.close()


def assert_loaded_once(pipe: PipeHarness, key: str) -> None:
    assert len(pipe.bronze(key)) == 50
    assert pipe.bronze(key)["transaction_id"].is_unique
    assert list(pipe.quarantine(key)["reason_code"]) == ["BAD_AMOUNT"]
    loads = pipe.history(key)
    assert list(loads[loads["status"] != "SKIPPED_DUPLICATE"]["status"]) == ["PARTIALLY_LOADED"]
    assert pipe.bronze_count() == 50


def test_duplicate_notifications_load_the_file_once(pipe: PipeHarness) -> None:
    key = pipe.land("dup-events.csv", BODY)
    message = pipe.queue.receive(1)[0]
    pipe.queue.change_visibility(message, 0)
    for _ in range(2):  # S3 may notify more than once: the same event arrives three times in all
        pipe.queue.send(message.body)
    run = pipe.run()
    assert sorted(load.status for load in run.loads) == [
        "PARTIALLY_LOADED",
        "SKIPPED_DUPLICATE",
        "SKIPPED_DUPLICATE",
    ]
    assert_loaded_once(pipe, key)
    assert pipe.queue.depth().visible + pipe.queue.depth().in_flight == 0


def test_consumer_crash_after_commit_before_ack_is_redelivered_and_skipped(pipe: PipeHarness) -> None:
    key = pipe.land("crash-before-ack.csv", BODY)
    real_delete = pipe.queue.delete

    def crash(message: Message) -> bool:
        raise SimulatedCrash("killed before deleting the message")

    pipe.queue.delete = crash  # type: ignore[method-assign]
    with pytest.raises(SimulatedCrash):
        pipe.run()
    pipe.queue.delete = real_delete  # type: ignore[method-assign]
    assert_loaded_once(pipe, key)
    assert pipe.run().loads == []  # still invisible: the visibility timeout has not passed
    pipe.clock.advance(31)
    (load,) = pipe.run().loads
    assert load.status == "SKIPPED_DUPLICATE"
    assert_loaded_once(pipe, key)
    assert pipe.queue.depth().in_flight == 0


@pytest.mark.parametrize("point", ["pipe.checked", "pipe.bronze", "pipe.quarantined", "pipe.recorded"])
def test_crash_mid_load_leaves_nothing_and_the_retry_loads_once(pipe: PipeHarness, point: str) -> None:
    key = pipe.land("crash-mid-load.csv", BODY)

    def fault(at: str) -> None:
        if at == point:
            raise SimulatedCrash(f"crash at {at}")

    with pytest.raises(SimulatedCrash):
        pipe.run(fault=fault)
    assert pipe.bronze_count() == 0
    assert pipe.quarantine(key).empty and pipe.history(key).empty
    assert pipe.queue.depth().in_flight == 1
    pipe.clock.advance(31)  # the visibility timeout expires: the event is delivered again
    (load,) = pipe.run().loads
    assert load.status == "PARTIALLY_LOADED"
    assert_loaded_once(pipe, key)


CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from c360 import names
    from c360.engines.duckdb import DuckDBSession
    from c360.landing.pipe import PipeOptions, run_pipe
    from c360.landing.queue import LocalNotificationQueue
    from c360.storage.local import LocalObjectStore

    root = Path(sys.argv[1])
    session = DuckDBSession.open(root / "customer_analytics.duckdb")
    queue = LocalNotificationQueue(root / "queue")
    store = LocalObjectStore(root / "lake")

    def die(point):
        if point == "pipe.quarantined":  # bronze and quarantine rows written, transaction not committed
            os._exit(137)

    run_pipe(session, store, queue, PipeOptions(fault=die, visibility_timeout=30))
    """
)


def test_process_killed_mid_load_loads_exactly_once_after_restart(tmp_path: Path) -> None:
    pipe = PipeHarness(tmp_path, Clock(at=datetime.now()))
    key = pipe.land("killed.csv", BODY)
    pipe.close()  # one writer per DuckDB file: the child process takes it

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 137, child.stderr

    pipe.session = DuckDBSession.open(tmp_path / "customer_analytics.duckdb")  # recovery after the crash
    pipe.queue = LocalNotificationQueue(tmp_path / "queue", clock=pipe.clock.epoch)
    pipe.store = LocalObjectStore(tmp_path / "lake")
    assert pipe.bronze_count() == 0 and pipe.history(key).empty
    assert pipe.queue.depth().in_flight == 1
    pipe.clock.advance(60)
    (load,) = pipe.run().loads
    assert load.status == "PARTIALLY_LOADED"
    assert_loaded_once(pipe, key)
    pipe.close()


def test_a_failing_load_is_retried_then_dead_lettered(pipe: PipeHarness) -> None:
    key = pipe.land("unreadable.csv", BODY)
    failures = []
    real_get = pipe.store.get_bytes

    def flaky(k: str) -> bytes:
        from c360.errors import ObjectStoreError

        failures.append(k)
        raise ObjectStoreError("simulated: the store is unavailable")

    pipe.store.get_bytes = flaky  # type: ignore[method-assign]
    for _ in range(pipe.queue.max_receives):
        run = pipe.run()
        assert run.loads == [] and len(run.failures) == 1 and "unavailable" in run.failures[0]
        pipe.clock.advance(31)
    assert pipe.run().failures == []  # the 6th delivery never happens: the message is dead-lettered
    assert pipe.queue.depth().dead == 1 and len(failures) == pipe.queue.max_receives
    pipe.store.get_bytes = real_get  # type: ignore[method-assign]
    assert pipe.queue.redrive() == 1
    (load,) = pipe.run().loads
    assert load.file_name == key and load.status == "PARTIALLY_LOADED"


def test_poison_message_is_left_for_the_dead_letter_area(pipe: PipeHarness) -> None:
    pipe.queue.send("this is not JSON")
    good = pipe.land("good.csv", csv_body(row("TXS0001")))
    run = pipe.run()
    assert [load.file_name for load in run.loads] == [good]
    assert len(run.poison_messages) == 1 and "not JSON" in run.poison_messages[0]
    assert pipe.queue.depth().in_flight == 1


def test_pipe_run_is_recorded(pipe: PipeHarness) -> None:
    pipe.land("recorded.csv", BODY)
    run = pipe.run()
    record = pipe.session.query(
        "select run_type, status, rows_affected, details from OBSERVABILITY.PIPELINE_RUN_METADATA where run_id = ?",
        [run.run_id],
    ).iloc[0]
    assert (record["run_type"], record["status"], int(record["rows_affected"])) == ("pipe", "SUCCESS", 50)
    assert '"rows_quarantined": 1' in record["details"]


def test_refresh_requeues_objects_the_pipe_never_saw(tmp_path: Path) -> None:
    pipe = PipeHarness(tmp_path)
    silent = LocalObjectStore(tmp_path / "lake")  # writes with no notification (a lost event)
    key = "transactions/streaming/2026/10/15/09/lost-event.csv"
    silent.put_bytes(key, csv_body(row("TXS0001")))
    assert pipe.run().loads == []
    from c360.landing.pipe import refresh

    assert refresh(pipe.session, pipe.store, pipe.queue, "transactions/streaming/") == [key]
    (load,) = pipe.run().loads
    assert load.status == "LOADED"
    assert refresh(pipe.session, pipe.store, pipe.queue, "transactions/streaming/") == []
    pipe.close()
