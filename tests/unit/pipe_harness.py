"""A tiny local warehouse + lake + notification queue for pipe tests (no platform build needed)."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from c360 import names
from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.landing.pipe import PipeOptions, PipeRun, ensure_pipe_tables, run_pipe
from c360.landing.queue import LocalNotificationQueue
from c360.storage.local import LocalObjectStore

HEADER = "transaction_id,customer_id,transaction_date,transaction_amount,merchant_name,merchant_category,channel,status"
PIPE_CLOCK = datetime(2026, 10, 15, 12, 0, 0)
CUSTOMERS = 10


def row(
    txn: str,
    customer: str = "CUST00000001",
    at: str = "2026-10-15 09:30:00",
    amount: str = "42.50",
    merchant: str = "Kroger",
    category: str = "Grocery",
    channel: str = "In-Store",
    status: str = "approved",
) -> str:
    return ",".join([txn, customer, at, amount, merchant, category, channel, status])


def csv_body(*rows: str, header: str = HEADER, newline: str = "\n") -> bytes:
    return (newline.join([header, *rows]) + newline).encode("utf-8")


@dataclass
class Clock:
    """A settable wall clock: `now()` for the pipe, `epoch()` for the queue's visibility timeouts."""

    at: datetime = PIPE_CLOCK
    offset: timedelta = field(default_factory=timedelta)

    def now(self) -> datetime:
        return self.at + self.offset

    def epoch(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


class PipeHarness:
    def __init__(self, root: Path, clock: Clock | None = None) -> None:
        self.root = root
        self.clock = clock or Clock()
        self.session = DuckDBSession.open(root / "customer_analytics.duckdb")
        ensure_pipe_tables(self.session)
        self.session.execute(
            "insert into BRONZE.BRONZE_CUSTOMERS (customer_id, customer_segment) "
            "select 'CUST' || lpad(cast(i as varchar), 8, '0'), 'Stable Mid-Spenders' from range(1, ?) t(i)",
            [CUSTOMERS + 1],
        )
        self.queue = LocalNotificationQueue(root / "queue", clock=self.clock.epoch)
        self.store = LocalObjectStore(root / "lake", listeners=[self.queue.listener(names.STREAMING_PREFIX)])

    def options(self, **changes: object) -> PipeOptions:
        return PipeOptions(clock=self.clock.now, visibility_timeout=30.0, **changes)  # type: ignore[arg-type]

    def land(self, name: str, body: bytes) -> str:
        key = f"{names.STREAMING_PREFIX}2026/10/15/09/{name}"
        self.store.put_bytes(key, body)
        return key

    def land_gzip(self, name: str, body: bytes) -> str:
        return self.land(name, gzip.compress(body, mtime=0))

    def run(self, **changes: object) -> PipeRun:
        return run_pipe(self.session, self.store, self.queue, self.options(**changes))

    def bronze(self, key: str) -> pd.DataFrame:
        return self.session.query(
            "select * from BRONZE.BRONZE_TRANSACTIONS where source_file = ? order by source_row_number", [key]
        )

    def quarantine(self, key: str) -> pd.DataFrame:
        return self.session.query(
            "select row_number, reason_code, reason, raw_line from OBSERVABILITY.QUARANTINE "
            "where file_name = ? order by row_number",
            [key],
        )

    def history(self, key: str) -> pd.DataFrame:
        return self.session.query(
            "select * from OBSERVABILITY.LOAD_HISTORY where file_name = ? order by loaded_at", [key]
        )

    def bronze_count(self) -> int:
        return int(self.session.scalar("select count(*) from BRONZE.BRONZE_TRANSACTIONS") or 0)

    def close(self) -> None:
        self.session.close()

    def as_platform(self) -> Settings:
        """Release the warehouse and write the outputs file, so the CLI commands (`c360 ingest`, `stream`)
        can run on this home as on a platform `c360 up` built (the scale's as-of is the pipe clock's day).
        The harness's single DuckDB file becomes the home's lake, published (the engine's migration)."""
        from c360.engines import open_session
        from c360.outputs import write_outputs
        from c360.steps.pipeline import local_outputs

        self.close()
        settings = Settings.load(target="local", home=self.root, as_of=PIPE_CLOCK.date(), env={})
        write_outputs(settings.outputs_path, local_outputs(settings))
        open_session(settings).close()  # migrates the file into the lake and publishes it
        return settings


class LakePipe(PipeHarness):
    """The pipe harness on the lake under `root/warehouse` (published once seeded) instead of a DuckDB file."""

    def __init__(self, root: Path, clock: Clock) -> None:
        from c360.snapshots import publish_snapshot

        self.root = root
        self.clock = clock
        self.settings = Settings.load(target="local", home=root, env={})
        self.session = DuckDBSession.open(self.settings.warehouse_path)
        ensure_pipe_tables(self.session)
        self.session.execute(
            "insert into BRONZE.BRONZE_CUSTOMERS (customer_id, customer_segment) "
            "select 'CUST' || lpad(cast(i as varchar), 8, '0'), 'Stable Mid-Spenders' from range(1, ?) t(i)",
            [CUSTOMERS + 1],
        )
        publish_snapshot(self.settings, self.session)
        self.queue = LocalNotificationQueue(root / "queue", clock=self.clock.epoch)
        self.store = LocalObjectStore(root / "lake", listeners=[self.queue.listener(names.STREAMING_PREFIX)])


def reasons(frame: pd.DataFrame, codes: Iterable[str] | None = None) -> list[str]:
    rows = frame if codes is None else frame[frame["reason_code"].isin(list(codes))]
    return [str(r) for r in rows["reason"]]
