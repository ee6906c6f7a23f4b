"""The pipe's exactly-once contract on the lake: a file's bronze rows, quarantine rows and LOAD_HISTORY row
are one lake commit, the queue message goes only after it, and readers see the load only once it is
published (c360/steps/streaming.py describes the contract)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

from c360.engines.duckdb import DuckDBSession
from c360.engines.readers import open_reader
from c360.landing.queue import LocalNotificationQueue
from c360.snapshots import publish_snapshot
from c360.storage.local import LocalObjectStore
from tests.unit.pipe_harness import Clock, LakePipe, csv_body, row

REPO = Path(__file__).resolve().parents[2]
BODY = csv_body(
    row("TXS1"),
    row("TXS2", amount="-5.00"),
    row("TXS3", customer="CUST99999999"),
    row("TXS4", amount="12.00"),
)


CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from c360.config import Settings
    from c360.engines import open_session
    from c360.landing.pipe import PipeOptions, run_pipe
    from c360.landing.queue import LocalNotificationQueue
    from c360.storage.local import LocalObjectStore

    root = Path(sys.argv[1])
    session = open_session(Settings.load(target="local", home=root, env={}, create_home=False))
    queue = LocalNotificationQueue(root / "queue")
    store = LocalObjectStore(root / "lake")

    def die(point):
        if point == sys.argv[2]:
            os._exit(137)

    run_pipe(session, store, queue, PipeOptions(fault=die, visibility_timeout=30))
    """
)


def test_a_process_killed_mid_load_leaves_nothing_and_the_retry_loads_once(tmp_path: Path) -> None:
    pipe = LakePipe(tmp_path, Clock(at=datetime.now()))
    key = pipe.land("killed.csv", BODY)
    pipe.close()  # the child process is the writer now

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), "pipe.recorded"],  # written, nothing committed
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 137, child.stderr

    pipe.session = DuckDBSession.open(pipe.settings.warehouse_path)
    pipe.queue = LocalNotificationQueue(tmp_path / "queue", clock=pipe.clock.epoch)
    pipe.store = LocalObjectStore(tmp_path / "lake")
    assert pipe.bronze_count() == 0 and pipe.history(key).empty and pipe.quarantine(key).empty
    assert pipe.queue.depth().in_flight == 1
    pipe.clock.advance(60)  # the message comes back after its visibility timeout
    (load,) = pipe.run().loads
    assert (load.status, load.rows_loaded, load.rows_quarantined) == ("PARTIALLY_LOADED", 2, 2)
    assert len(pipe.bronze(key)) == 2 and len(pipe.quarantine(key)) == 2 and len(pipe.history(key)) == 1
    pipe.clock.advance(60)
    assert pipe.run().loads == [] and pipe.queue.depth().visible == 0  # acknowledged: gone for good
    pipe.close()


def test_readers_see_a_load_once_it_is_published(tmp_path: Path) -> None:
    pipe = LakePipe(tmp_path, Clock(at=datetime.now()))
    key = pipe.land("published.csv", BODY)
    (load,) = pipe.run().loads
    assert load.rows_loaded == 2 and pipe.bronze_count() == 2  # committed: the writer sees it

    def reader_rows() -> int:
        reader = open_reader(pipe.settings)
        try:
            return int(reader.scalar("select count(*) from BRONZE.BRONZE_TRANSACTIONS") or 0)
        finally:
            reader.close()

    assert reader_rows() == 0  # readers: the last publication
    publish_snapshot(pipe.settings, pipe.session)
    assert reader_rows() == 2
    assert len(pipe.history(key)) == 1
    pipe.close()
