"""The fault-injection reader's check (c360/bench/faultinjection.py, PublicationAudit) on the lake: a
correctly published unit of work reads clean, and every way of showing readers half of one is caught —
a snapshot published between the pipe's commit and the gold refresh, or between silver and gold, a reader
that is not pinned (old and new mixed under one published id), the published id going back, and a
half-written publication record. Silver and gold here are two small tables refreshed the way the dbt
selection does (bronze -> STG_TRANSACTIONS -> FCT_TRANSACTIONS + CUSTOMER_360_PROFILE, one commit each)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from c360 import names
from c360.bench import faultinjection
from c360.bench.faultinjection import (
    PUBLISHED_COLUMNS,
    UNREADABLE_PUBLICATION,
    PublicationAudit,
    PublishedState,
    read_published_state,
    read_published_states,
)
from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.engines.readers import open_reader
from c360.errors import WarehouseError
from c360.snapshots import lake_of, publish_snapshot, published
from c360.sqlfiles import load_sql
from tests.unit.pipe_harness import Clock, LakePipe, csv_body, row

SILVER_AND_GOLD = """
create schema if not exists SILVER;
create schema if not exists GOLD;
create table SILVER.STG_CUSTOMERS as select customer_id from BRONZE.BRONZE_CUSTOMERS;
create table SILVER.STG_TRANSACTIONS (
    transaction_id varchar, customer_id varchar, source_file varchar, is_approved boolean,
    transaction_amount decimal(12, 2)
);
create table GOLD.FCT_TRANSACTIONS (
    transaction_id varchar, customer_id varchar, is_approved boolean, transaction_amount decimal(12, 2)
);
create table GOLD.CUSTOMER_360_PROFILE as
    select customer_id, cast(0 as decimal(14, 2)) as lifetime_value from BRONZE.BRONZE_CUSTOMERS;
"""
REFRESH_SILVER = """
insert into SILVER.STG_TRANSACTIONS
select b.transaction_id, b.customer_id, b.source_file, b.status = 'approved', b.transaction_amount
from BRONZE.BRONZE_TRANSACTIONS as b
where b.transaction_id not in (select transaction_id from SILVER.STG_TRANSACTIONS)
"""
REFRESH_FACT = """
insert into GOLD.FCT_TRANSACTIONS
select s.transaction_id, s.customer_id, s.is_approved, s.transaction_amount
from SILVER.STG_TRANSACTIONS as s
where s.transaction_id not in (select transaction_id from GOLD.FCT_TRANSACTIONS)
"""
REFRESH_PROFILE = """
update GOLD.CUSTOMER_360_PROFILE as p
set lifetime_value = coalesce((
    select sum(f.transaction_amount) from GOLD.FCT_TRANSACTIONS as f
    where f.customer_id = p.customer_id and f.is_approved
), 0)
"""


class Stream:
    """A writer that lands a file, runs the real pipe (one lake commit per file) and refreshes silver and
    gold (one commit per model), publishing wherever the test says."""

    def __init__(self, root: Path) -> None:
        self.pipe = LakePipe(root, Clock(at=datetime.now()))
        self.settings = self.pipe.settings
        self.session: DuckDBSession = self.pipe.session
        self.session.run_script(SILVER_AND_GOLD)
        self.publish()
        self.files = 0

    def load(self) -> None:
        self.files += 1
        n = self.files
        self.pipe.land(
            f"batch_{n:03d}.csv",
            csv_body(
                row(f"TXS{n:03d}A", customer=f"CUST{1 + n % 10:08d}", amount="10.00"),
                row(f"TXS{n:03d}B", customer=f"CUST{1 + (n + 3) % 10:08d}", amount="2.50"),
                row(f"TXS{n:03d}C", amount="-1.00"),  # quarantined
            ),
        )
        run = self.pipe.run()
        assert len(run.loads) == 1, (run.stopped, run.failures, run)
        (load,) = run.loads
        assert (load.rows_loaded, load.rows_quarantined) == (2, 1)

    def refresh_silver(self) -> None:
        self.session.execute(REFRESH_SILVER)

    def refresh_gold(self) -> None:
        self.session.execute(REFRESH_FACT)
        self.session.execute(REFRESH_PROFILE)

    def unit(self) -> None:
        """One whole unit of work, then the publish (what c360/steps/streaming.py does)."""
        self.load()
        self.refresh_silver()
        self.refresh_gold()
        self.publish()

    def publish(self) -> int:
        return publish_snapshot(self.settings, self.session).snapshot_id

    def close(self) -> None:
        self.pipe.close()


@pytest.fixture
def stream(tmp_path: Path) -> Iterator[Stream]:
    writer = Stream(tmp_path / "home")
    yield writer
    writer.close()


def observe(stream: Stream, audit: PublicationAudit) -> list[str]:
    return audit.observe(read_published_state(stream.settings))


def test_whole_units_published_read_clean_and_pinned(stream: Stream) -> None:
    audit = PublicationAudit()
    for _ in range(3):
        stream.unit()
        state = read_published_state(stream.settings)
        assert state.snapshot_id == published(stream.settings).snapshot_id  # type: ignore[union-attr]
        assert audit.observe(state) == []
        assert audit.observe(read_published_state(stream.settings)) == []  # the same snapshot, again
    last = read_published_state(stream.settings).as_dict()
    assert (last["history_loaded"], last["bronze_rows"], last["silver_rows"], last["fact_rows"]) == (
        6,
        6,
        6,
        6,
    )
    assert last["quarantined_rows"] == last["history_quarantined"] == 3
    assert audit.violation_count == 0 and len(audit.snapshots) == 3


def test_a_snapshot_published_between_the_pipes_commit_and_the_refresh_is_caught(stream: Stream) -> None:
    stream.unit()
    stream.load()
    stream.publish()  # broken: bronze committed, gold not refreshed yet
    problems = observe(stream, PublicationAudit())
    assert problems == ["silver has 2 streamed rows, bronze 4"], problems


def test_a_snapshot_published_between_silver_and_gold_is_caught(stream: Stream) -> None:
    stream.load()
    stream.refresh_silver()
    stream.publish()  # broken: silver refreshed, gold not
    problems = observe(stream, PublicationAudit())
    assert "gold has 0 streamed rows, silver 2" in problems
    assert any("where gold does not reconcile with silver" in p for p in problems), problems


def test_a_reader_that_is_not_pinned_mixes_old_and_new_and_is_caught(stream: Stream) -> None:
    """A reader that attaches the lake's latest commits instead of the published snapshot: the same
    published id reads differently once the writer commits more."""
    stream.unit()
    audit = PublicationAudit()

    def unpinned() -> PublishedState:
        publication = published(stream.settings)
        assert publication is not None
        session = DuckDBSession.open(stream.settings.warehouse_path, read_only=True)  # no version: latest
        try:
            frame = session.query(load_sql("pipe/published_state"), [names.STREAMING_PREFIX] * 5)
        finally:
            session.close()
        return PublishedState(
            publication.snapshot_id, tuple(int(frame.iloc[0][c]) for c in PUBLISHED_COLUMNS)
        )

    assert audit.observe(unpinned()) == []
    stream.load()  # committed, not published
    stream.refresh_silver()
    stream.refresh_gold()
    problems = audit.observe(unpinned())
    assert len(problems) == 1 and problems[0].startswith(
        f"snapshot {published(stream.settings).snapshot_id} read as "  # type: ignore[union-attr]
    ), problems
    stream.publish()
    assert audit.observe(read_published_state(stream.settings)) == []  # the pinned reader: clean


def test_the_published_snapshot_going_back_is_caught(stream: Stream) -> None:
    stream.unit()
    older = stream.publish()
    stream.unit()
    audit = PublicationAudit()
    assert observe(stream, audit) == []
    lake_of(stream.settings).publication.write_text(
        json.dumps({"snapshot_id": older, "published_at": datetime.now().isoformat()})
    )  # broken: a publish that rolled readers back
    problems = observe(stream, audit)
    assert problems == [f"the published snapshot went back from {audit.latest} to {older}"], problems


def test_a_half_written_publication_record_is_unreadable_and_counted(
    stream: Stream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = SeenSnapshots()
    monkeypatch.setattr(faultinjection, "read_published_state", seen.wrap(read_published_state))
    stream.unit()
    lake_of(stream.settings).publication.write_text('{"snapshot_id": 1')  # a publish that wrote in place
    with pytest.raises(WarehouseError, match=UNREADABLE_PUBLICATION):
        open_reader(stream.settings)
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = threading.Thread(
        target=read_published_states, args=(str(stream.settings.home), str(stop), str(out), 0.01)
    )
    reader.start()
    try:
        seen.wait_for_reads(1)  # the loop tried at least once (the record cannot be read)
    finally:
        stop.touch()
        reader.join(60)
    seen = json.loads(out.read_text())
    assert seen["observations"] == 0 and seen["violation_count"] >= 1, seen
    assert seen["violations"][0].startswith("unreadable publication:"), seen


@pytest.mark.parametrize("recheck", [None, 600.0], ids=["every-pause", "on-change"])
def test_the_reader_loop_catches_a_writer_that_publishes_mid_unit_and_passes_one_that_does_not(
    stream: Stream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recheck: float | None
) -> None:
    """The loop the harness runs beside the killed processes, against a correct writer, then a broken one;
    observing every pause (the bench) or when the publication changes (the short run: with a recheck
    period longer than the test, every observation here is one a publish triggered). The writer waits until
    the loop has read each snapshot it published (never a fixed sleep: on a loaded machine one observation
    can take longer than any sleep), so every published state is observed."""
    seen = SeenSnapshots()
    monkeypatch.setattr(faultinjection, "read_published_state", seen.wrap(read_published_state))
    correct = _reader_loop(stream, tmp_path / "correct", seen, broken=False, recheck=recheck)
    assert correct["violation_count"] == 0 and correct["error_count"] == 0, correct
    assert correct["observations"] >= 4 and correct["snapshots"] >= 4, correct
    broken = _reader_loop(stream, tmp_path / "broken", seen, broken=True, recheck=recheck)
    assert broken["violation_count"] >= 4, broken  # each of the four mid-unit snapshots
    assert any("silver has" in v for v in broken["violations"]), broken


class SeenSnapshots:
    """The snapshot ids the reader loop observed and how many reads it finished (a read that raised
    too), for a writer to wait on."""

    def __init__(self) -> None:
        self.ids: set[int | None] = set()
        self.reads = 0
        self.changed = threading.Condition()

    def wrap(self, read: Callable[[Settings], PublishedState]) -> Callable[[Settings], PublishedState]:
        def observed(settings: Settings) -> PublishedState:
            try:
                state = read(settings)
            finally:
                with self.changed:
                    self.reads += 1
                    self.changed.notify_all()
            with self.changed:
                self.ids.add(state.snapshot_id)
                self.changed.notify_all()
            return state

        return observed

    def wait_for_reads(self, count: int, timeout: float = 300.0) -> None:
        with self.changed:
            done = self.changed.wait_for(lambda: self.reads >= count, timeout)
        assert done, f"the reader loop finished {self.reads} read(s) within {timeout:.0f} s, not {count}"

    def wait_for(self, snapshot_id: int, timeout: float = 300.0) -> None:
        with self.changed:
            found = self.changed.wait_for(lambda: snapshot_id in self.ids, timeout)
        assert found, f"the reader loop did not read snapshot {snapshot_id} within {timeout:.0f} s"


def _reader_loop(
    stream: Stream, work: Path, seen: SeenSnapshots, *, broken: bool, recheck: float | None
) -> dict[str, object]:
    work.mkdir()
    stop, out = work / "stop", work / "reader.json"
    reader = threading.Thread(
        target=read_published_states,
        args=(str(stream.settings.home), str(stop), str(out), 0.01, recheck),
    )
    reader.start()
    try:
        for _ in range(4):
            stream.load()
            if broken:
                seen.wait_for(stream.publish())  # readers now see bronze without silver and gold
            stream.refresh_silver()
            stream.refresh_gold()
            seen.wait_for(stream.publish())
    finally:
        stop.touch()
        reader.join(120)
    assert not reader.is_alive()
    return dict(json.loads(out.read_text()))
