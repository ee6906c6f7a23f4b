"""The local warehouse's read contract: readers see the published state only (a writer's whole unit of work
or none of it), never wait for the writer and never make it wait; old versions a reader holds survive
maintenance; readers are confined to the warehouse's own files; one writing process at a time."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from c360.config import Settings
from c360.engines import open_session
from c360.engines.duckdb import DuckDBSession
from c360.engines.footprint import storage_footprint
from c360.engines.maintenance import maintain, rewrite_deleted
from c360.engines.readers import open_reader
from c360.errors import WarehouseError
from c360.snapshots import publish_snapshot, published

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(target="local", customers=300, home=tmp_path / "home", env={})


def _writer(settings: Settings) -> DuckDBSession:
    session = open_session(settings)
    assert isinstance(session, DuckDBSession) and session.lake is not None
    return session


def _seed(settings: Settings, rows: int = 100) -> None:
    """Two tables that every unit of work changes together (like silver and gold): equal counts."""
    with _writer(settings) as writer:
        writer.execute("create schema if not exists SILVER")
        writer.execute("create schema if not exists GOLD")
        writer.execute("create table SILVER.facts as select range as id from range(?)", [rows])
        writer.execute("create table GOLD.summary as select range as id from range(?)", [rows])
        publish_snapshot(settings, writer)


def _counts(settings: Settings) -> tuple[int, int]:
    reader = open_reader(settings)
    try:
        row = reader.query(
            "select (select count(*) from SILVER.facts) as silver, (select count(*) from GOLD.summary) as gold"
        ).iloc[0]
        return int(row["silver"]), int(row["gold"])
    finally:
        reader.close()


def test_a_reader_during_a_writers_unit_of_work_sees_the_old_state_then_the_whole_new_one(
    settings: Settings,
) -> None:
    _seed(settings, 100)
    with _writer(settings) as writer:
        writer.execute("insert into SILVER.facts select range + 1000 from range(50)")  # committed ...
        assert _counts(settings) == (100, 100)  # ... but not published: readers keep the old state
        held = open_reader(settings)  # a reader that stays open across the publish
        writer.execute("insert into GOLD.summary select range + 1000 from range(50)")
        assert _counts(settings) == (100, 100)
        publish_snapshot(settings, writer)
        assert _counts(settings) == (150, 150)  # a new reader: the whole unit at once
        assert int(held.scalar("select count(*) from GOLD.summary") or 0) == 100  # the pinned one: the old
        held.close()


def test_readers_in_another_process_never_see_a_mix_and_never_block_the_writer(
    settings: Settings, tmp_path: Path
) -> None:
    _seed(settings, 10)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_LOOP, str(settings.home), str(stop)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    commits: list[float] = []
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
        with _writer(settings) as writer:
            for batch in range(8):
                for table in ("SILVER.facts", "GOLD.summary"):  # two commits per unit, readers in between
                    began = time.perf_counter()
                    writer.execute(
                        f"insert into {table} select range + ? from range(10)", [1000 * (batch + 1)]
                    )
                    commits.append(time.perf_counter() - began)
                    time.sleep(0.2)  # a window in which silver is committed and gold is not
                publish_snapshot(settings, writer)
                time.sleep(0.1)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    seen = json.loads(out)
    assert seen["errors"] == [], seen["errors"]
    assert seen["mixed"] == 0 and seen["reads"] >= seen["opened"] >= 2, seen
    assert len(seen["states"]) >= 2 and seen["states"][-1] == 90, seen  # the writer advanced, unit by unit
    assert all(state % 10 == 0 for state in seen["states"]), seen
    assert max(commits) < 5.0, commits  # a reader never holds the writer up (SQLite busy timeout is 5 s)


READER_LOOP = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from c360.config import Settings
    from c360.engines.readers import open_reader
    from c360.snapshots import latest_snapshot

    settings = Settings.load(target="local", home=sys.argv[1], env={}, create_home=False)
    stop = Path(sys.argv[2])
    reads, mixed, states, errors, opened = 0, 0, [], [], 0
    session, version = None, None
    print("ready", flush=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (stop.exists() and states and states[-1] == 90):
        try:
            current = latest_snapshot(settings).stat().st_mtime_ns  # the app's data version
            if session is None or current != version:  # a new publication: a new pinned session
                if session is not None:
                    session.close()
                session, version = open_reader(settings), current
                opened += 1
            silver, gold = session.con.execute(
                "select (select count(*) from SILVER.facts), (select count(*) from GOLD.summary)"
            ).fetchone()
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        reads += 1
        mixed += silver != gold
        if not states or states[-1] != silver:
            states.append(silver)
    if session is not None:
        session.close()
    print(json.dumps({"reads": reads, "opened": opened, "mixed": mixed, "states": states, "errors": errors[:5]}))
    """
)


def test_maintenance_keeps_what_an_open_reader_holds_and_drops_it_afterwards(settings: Settings) -> None:
    _seed(settings, 1000)
    old = open_reader(settings)
    old_version = published(settings)
    assert old_version is not None
    with _writer(settings) as writer:
        for batch in range(5):  # small inserts and a replace: files only old versions need
            writer.execute(
                "insert into SILVER.facts select range + ? from range(100)", [10_000 * (batch + 1)]
            )
        writer.execute("create or replace table GOLD.summary as select * from SILVER.facts")
        current = publish_snapshot(settings, writer)
        kept = maintain(writer, published=current.snapshot_id)
        assert kept.readers_open == 1
        assert int(old.scalar("select count(*) from GOLD.summary") or 0) == 1000  # still readable
        old.close()
        freed = maintain(writer, published=current.snapshot_id)
        assert freed.snapshots_expired >= 1 and freed.readers_open == 0
    assert _counts(settings) == (1500, 1500)
    footprint = storage_footprint(settings)
    assert footprint.total_bytes <= 1.3 * footprint.data_bytes  # nothing kept that no version needs


def test_small_batches_are_compacted(settings: Settings) -> None:
    _seed(settings, 10)
    with _writer(settings) as writer:
        for batch in range(30):
            writer.execute(
                "insert into SILVER.facts select range + ? from range(500)", [10_000 * (batch + 1)]
            )
        publication = publish_snapshot(settings, writer)
        report = maintain(writer, published=publication.snapshot_id)
    assert report.files_before >= 30
    assert report.files_after <= 5
    assert _counts(settings)[0] == 15_010


def _current_files(writer: DuckDBSession, table: str) -> dict[str, int]:
    """{path: bytes} of the table's data files in the lake's current snapshot."""
    metadata = "__ducklake_metadata_customer_analytics"
    frame = writer.query(
        f"select d.path, d.file_size_bytes from {metadata}.ducklake_data_file as d "
        f"inner join {metadata}.ducklake_table as t on t.table_id = d.table_id and t.end_snapshot is null "
        "where d.end_snapshot is null and t.table_name = ?",
        [table],
    )
    return {str(path): int(size) for path, size in zip(frame["path"], frame["file_size_bytes"], strict=True)}


def test_routine_compaction_merges_the_small_files_and_leaves_a_large_one_alone(settings: Settings) -> None:
    """The stream's compaction (small_files_below): a long stream's batch files are merged, so their
    count stays bounded, while the full build's big file is neither rewritten nor merged with them; the
    full compaction (`c360 maintain`) would merge it too."""
    _seed(settings, 10)
    with _writer(settings) as writer:
        writer.execute(
            "create table SILVER.history as select range as id, md5(range::varchar) as h from range(60000)"
        )
        ((large_path, large_size),) = _current_files(writer, "history").items()
        threshold = large_size // 2
        for round_ in range(3):  # three compaction periods of a long stream
            for batch in range(12):
                writer.execute(
                    "insert into SILVER.history select range + ?, 'batch' from range(50)",
                    [1_000_000 * (round_ + 1) + 1_000 * batch],
                )
            publication = publish_snapshot(settings, writer)
            report = maintain(writer, published=publication.snapshot_id, small_files_below=threshold)
            files = _current_files(writer, "history")
            assert files[large_path] == large_size  # the large file: still the table's, unchanged
            small = [path for path, size in files.items() if size < threshold]
            assert len(small) <= 1, files  # twelve batch files merged into one, each period
            assert report.files_after < report.files_before
        assert int(writer.scalar("select count(*) from SILVER.history") or 0) == 60_000 + 3 * 12 * 50
        maintain(writer, published=publish_snapshot(settings, writer).snapshot_id)  # full compaction
        assert large_path not in _current_files(writer, "history")  # merged with the small file


def test_routine_compaction_refuses_a_nonsense_threshold(settings: Settings) -> None:
    _seed(settings, 10)
    with _writer(settings) as writer, pytest.raises(WarehouseError, match="small_files_below"):
        maintain(writer, published=None, small_files_below=0)


def _delete_files(writer: DuckDBSession, table: str) -> int:
    metadata = "__ducklake_metadata_customer_analytics"
    return int(
        writer.scalar(
            f"select count(*) from {metadata}.ducklake_delete_file as d "
            f"inner join {metadata}.ducklake_table as t on t.table_id = d.table_id and t.end_snapshot is null "
            "where d.end_snapshot is null and t.table_name = ?",
            [table],
        )
        or 0
    )


def test_tables_a_stream_deletes_from_are_rewritten_without_their_deleted_rows(settings: Settings) -> None:
    """Like a per-customer model under streamed batches: each batch deletes and re-inserts a few rows of
    one table, leaving one more delete file each time; rewrite_deleted rewrites the tables with at least
    `at_least` of them, keeps their rows, and leaves the others alone."""
    _seed(settings, 2000)
    with _writer(settings) as writer:
        for batch in range(5):  # each batch: a new data file, and deletes in every earlier one
            writer.execute("delete from SILVER.facts where id % 7 = ?", [batch])
            writer.execute(
                "insert into SILVER.facts select range + ? from range(1000)", [10_000 * (batch + 1)]
            )
        writer.execute("delete from GOLD.summary where id = 0")  # a table with few deletes: left alone
        before = int(writer.scalar("select sum(id) from SILVER.facts") or 0)
        assert _delete_files(writer, "facts") >= 4
        assert rewrite_deleted(writer, at_least=4, limit=2) == ["SILVER.facts"]
        assert _delete_files(writer, "facts") == 0
        assert int(writer.scalar("select sum(id) from SILVER.facts") or 0) == before
        assert rewrite_deleted(writer, at_least=4, limit=2) == []  # nothing left above the threshold
        publish_snapshot(settings, writer)
    assert _counts(settings)[1] == 1999


def test_readers_are_confined_to_the_warehouse(settings: Settings, tmp_path: Path) -> None:
    _seed(settings)
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    reader = open_reader(settings)
    try:
        for statement in (
            f"select * from read_csv('{secret}')",
            f"attach '{tmp_path / 'other.duckdb'}' as other",
            "insert into GOLD.summary values (1)",
            "set enable_external_access = true",
            f"load '{tmp_path / 'evil.duckdb_extension'}'",  # unsigned loads are trusted for the two we checked
            "install httpfs",
        ):
            with pytest.raises(WarehouseError):
                reader.execute(statement)
        assert int(reader.scalar("select count(*) from GOLD.summary") or 0) == 100
    finally:
        reader.close()


def test_one_writing_process_at_a_time(settings: Settings) -> None:
    _seed(settings)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER, str(settings.home)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseError, match="busy"):
            open_session(settings)
        assert _counts(settings) == (100, 100)  # readers keep answering meanwhile
    finally:
        holder.communicate("", timeout=60)
    with _writer(settings) as writer:  # free again once the other process is done
        with _writer(settings) as nested:  # sessions of one process share the lock
            assert nested.scalar("select 1") == 1
        assert writer.scalar("select 1") == 1


HOLD_WRITER = textwrap.dedent(
    """
    import sys
    from c360.config import Settings
    from c360.engines import open_session

    session = open_session(Settings.load(target="local", home=sys.argv[1], env={}, create_home=False))
    print("holding", flush=True)
    sys.stdin.read()
    session.close()
    """
)


def test_nothing_published_yet_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(WarehouseError, match="run `c360 up` first"):
        open_reader(settings)
    with _writer(settings) as writer:
        writer.execute("create schema if not exists GOLD")
    with pytest.raises(WarehouseError, match="nothing published yet"):
        open_reader(settings)


def test_a_copied_home_reads_and_writes_its_own_files(settings: Settings, tmp_path: Path) -> None:
    import shutil

    _seed(settings, 100)
    copy = Settings.load(target="local", home=tmp_path / "copy", env={})
    shutil.copytree(settings.home, copy.home, ignore=shutil.ignore_patterns(".*"), dirs_exist_ok=True)
    shutil.rmtree(settings.home)  # nothing of the original is left to read from
    with _writer(copy) as writer:
        writer.execute("insert into GOLD.summary select range from range(5)")
        writer.execute("insert into SILVER.facts select range from range(5)")
        publish_snapshot(copy, writer)
    assert _counts(copy) == (105, 105)
    assert not settings.home.exists()


def test_the_guard_refuses_time_travel_past_the_published_snapshot(settings: Settings) -> None:
    from c360.guard import GuardError, run_guarded

    _seed(settings, 100)
    with _writer(settings) as writer:
        writer.execute("insert into GOLD.summary select range from range(5)")  # committed, not published
        unpublished = int(writer.scalar("select id from customer_analytics.current_snapshot()") or 0)
    reader = open_reader(settings)
    try:
        # DuckLake would answer it (a pinned attach still resolves later versions): the guard must not ask
        assert (
            int(reader.scalar(f"select count(*) from GOLD.summary at (version => {unpublished})") or 0) == 105
        )
        for sql in (
            f"select count(*) from gold.summary at (version => {unpublished})",
            "select count(*) from gold.summary at (timestamp => now())",
        ):
            with pytest.raises(GuardError, match="time travel"):
                run_guarded(reader, sql, "DATA_ANALYST")
        assert (
            int(run_guarded(reader, "select count(*) as n from gold.summary", "DATA_ANALYST")["n"][0]) == 100
        )
    finally:
        reader.close()


def _replace_rows(writer: DuckDBSession, batch: int) -> None:
    """One unit of work like a customer mart's refresh: delete some rows and insert their new versions."""
    writer.execute("begin")
    writer.execute("delete from GOLD.summary where id % 10 = ?", [batch % 10])
    writer.execute("insert into GOLD.summary select range * 10 + ? from range(100)", [batch % 10])
    writer.execute("commit")


def test_a_publish_between_reading_the_pointer_and_the_lease_moves_the_reader_to_the_new_version(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer publishes right after the reader read the pointer, and decides what to expire before the
    reader's lease exists (every unleased version older than its publication), then expires it once the
    reader has attached. A reader pinned to the pointer it read would lose its version under its feet (an
    error, or rows a later delete+insert replaced next to their replacements); it must pin the newer
    publication instead and see one version of every row."""
    import c360.engines.duckdb as duckdb_engine
    import c360.engines.maintenance as maintenance

    _seed(settings, 1000)
    with _writer(settings) as writer:
        for batch in range(3):
            _replace_rows(writer, batch)
            publish_snapshot(settings, writer)
        read_first = published(settings)
        assert read_first is not None
        decided: list[int] = []  # the versions the writer will expire, decided before the lease existed
        expired: list[int] = []
        take_lease, open_session_at = maintenance.take_lease, duckdb_engine.DuckDBSession.open

        def lease_after_the_writer_published(lake: object, version: int) -> int:
            if not decided and not expired:
                _replace_rows(writer, 3)
                newer = publish_snapshot(settings, writer)
                held = maintenance.held_leases(writer.lake)  # type: ignore[arg-type]
                decided.extend(
                    int(v)
                    for v in writer.query(
                        "select snapshot_id from customer_analytics.snapshots() where snapshot_id < ?",
                        [newer.snapshot_id],
                    )["snapshot_id"]
                    if int(v) not in held
                )
            return take_lease(lake, version)  # type: ignore[arg-type]

        def open_then_expire(*args: object, **kwargs: object) -> DuckDBSession:
            session = open_session_at(*args, **kwargs)  # type: ignore[arg-type]
            if decided and kwargs.get("version") is not None:
                writer.execute(
                    "call ducklake_expire_snapshots('customer_analytics', versions => ?::ubigint[])",
                    [decided],
                )
                expired.extend(decided)
                decided.clear()
            return session

        monkeypatch.setattr(maintenance, "take_lease", lease_after_the_writer_published)
        monkeypatch.setattr(duckdb_engine.DuckDBSession, "open", open_then_expire)
        reader = open_reader(settings)
        try:
            count, distinct = (
                reader.query("select count(*) as n, count(distinct id) as ids from GOLD.summary")
                .iloc[0]
                .tolist()
            )
        finally:
            reader.close()
    assert read_first.snapshot_id in expired  # the version the reader read first is gone ...
    assert (int(count), int(distinct)) == (1000, 1000)  # one version of each row: the newer publication


def test_this_process_never_opens_the_live_catalog_with_a_second_sqlite_library(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's sqlite extension links its own SQLite. A second library (Python's sqlite3) on the live catalog
    in the same process replaces that process's locks on the WAL index, truncates the index under the first
    library's memory map (SIGBUS: a CI run died of it) and drops its locks on close
    (sqlite.org/howtocorrupt.html 2.1, 2.2). Readers and the footprint copy the catalog in a child process."""
    opened: list[str] = []
    real_connect = sqlite3.connect

    def recording_connect(database: str | Path, *args: object, **kwargs: object) -> sqlite3.Connection:
        opened.append(str(database))
        return real_connect(database, *args, **kwargs)  # type: ignore[arg-type]

    _seed(settings)
    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    with _writer(settings) as writer:
        writer.execute("insert into SILVER.facts select 1000")
        assert _counts(settings) == (100, 100)
        assert storage_footprint(settings).data_bytes > 0
    catalog = Path(settings.warehouse_path).resolve()
    assert opened, "the footprint reads its private copy in this process"
    for database in opened:
        path = Path(unquote(urlparse(database).path)) if database.startswith("file:") else Path(database)
        assert path.resolve() != catalog, f"this process opened the live catalog itself: {database}"


def test_readers_beside_a_committing_writer_in_one_process_do_not_crash_it(tmp_path: Path) -> None:
    """The crash itself, end to end: a writer thread commits while the main thread opens readers (the app's
    and the tests' situation). Before the fix this died of SIGBUS within seconds."""
    script = textwrap.dedent(
        """
        import sys, threading, time
        from pathlib import Path
        from c360.config import Settings
        from c360.engines import open_session
        from c360.engines.readers import open_reader
        from c360.snapshots import publish_snapshot

        settings = Settings.load(target="local", customers=300, home=Path(sys.argv[1]), env={})
        writer = open_session(settings)
        writer.execute("create schema if not exists SILVER")
        writer.execute("create table SILVER.facts as select range as id from range(10)")
        publish_snapshot(settings, writer)
        stop = threading.Event()

        def commit() -> None:
            while not stop.is_set():
                writer.execute("insert into SILVER.facts select 1")

        thread = threading.Thread(target=commit)
        thread.start()
        reads, deadline = 0, time.monotonic() + 6
        while time.monotonic() < deadline:
            reader = open_reader(settings)
            reader.scalar("select count(*) from SILVER.facts")
            reader.close()
            reads += 1
        stop.set()
        thread.join()
        writer.close()
        print(reads)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "home")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 5
