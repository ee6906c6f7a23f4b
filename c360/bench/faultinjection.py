"""Fault injection for the ingest path: SIGKILL the ingesting process at random points over a stream of
batches, restart it, and prove that nothing was lost, doubled or half-published.

A campaign runs rounds on a built local platform. Each round may land an awkward file (quoted fields
with line breaks, bad values, an unclosed quote, gzip, CRLF, BOM, a re-delivered copy) or a file that fails
as a whole (a `;`-separated export, which fires the critical pipe_failure_rate alert), then runs one
streaming cycle (`c360 stream --batches 1`: generate, land, pipe, gold refresh, publish) in a child
process with a kill plan drawn at random from the points in c360/faults.py (C360_KILL_AT=point@n); the
child kills itself with SIGKILL when it reaches the point, and the next round simply starts the next
child. After the rounds, one more child runs without a plan: the next run must recover by itself.
Meanwhile a reader process opens what readers see (`open_reader`) in a loop and checks each state.

The proof, on the published state after recovery (sql/pipe/file_accounting.sql, published_state.sql):
- every record of every landed file is in bronze exactly once or in the quarantine exactly once
  (records counted independently: the harness built the awkward files; generated batches are one
  record per line);
- no file has two LOAD_HISTORY rows that loaded it (re-deliveries are SKIPPED_DUPLICATE rows);
- gold reconciles with silver per customer (fact rows and spend, profile lifetime value), silver holds
  every bronze row;
- no state the reader saw was half-published: every observation meets the same invariants (a snapshot
  published in the middle of a unit of work breaks them), a published snapshot reads the same every time
  it is read (old and new never mix under a reader), the published snapshot never goes back, and the
  publication record is never found half written (PublicationAudit);
- `c360 status` lists nothing waiting, in flight or failed, and its exit code agrees with the alerts it
  lists as open (2 while a critical one is open; c360/landing/statuscheck.py); the alerts that fired
  during the campaign are reported with it.

Two ways to run the child: a real `c360 stream` process (the CLI, as an operator runs it; used by
`c360 bench`), or a fork of a pre-loaded server process running the same `stream()` call (no interpreter
start per round; used by the test suite to stay under a minute). Both die by a real SIGKILL.

The harness relies on the kill points, the streaming commands, `open_reader` and the publication record
(c360/snapshots.py: the lake's snapshot id readers are pinned to); what a reader may see is re-derived from
those, not from how the lake stores its files.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any, Final, Protocol

import pandas as pd

from c360 import names
from c360.config import Settings, child_process_env
from c360.engines.readers import open_reader
from c360.errors import C360Error
from c360.faults import ENV_VAR, KILL_POINTS, FaultPlan
from c360.landing.pipe import landed_files
from c360.landing.queue import LocalNotificationQueue
from c360.landing.statuscheck import StatusCheck, alerts_fired, run_status
from c360.snapshots import published
from c360.sqlfiles import load_sql
from c360.storage.local import LocalObjectStore

log = logging.getLogger(__name__)

PREFIX: Final = names.STREAMING_PREFIX

# point -> (relative weight, highest occurrence to draw): occurrences a one-batch cycle reaches
POINTS: Final[dict[str, tuple[int, int]]] = {
    "land.notify": (2, 1),
    "pipe.received": (2, 1),
    "pipe.checked": (1, 2),
    "pipe.bronze": (2, 2),
    "pipe.quarantined": (1, 2),
    "pipe.recorded": (2, 2),
    "pipe.committed": (3, 2),
    "pipe.acked": (1, 2),
    "gold.start": (1, 1),
    "gold.node": (3, 8),
    "gold.done": (1, 1),
    "publish.start": (1, 1),
    "publish.staged": (2, 2),
    "publish.done": (2, 1),
}
assert set(POINTS) == set(KILL_POINTS), "every kill point is drawn"

PUBLISHED_COLUMNS: Final = (
    "history_loaded",
    "history_quarantined",
    "bronze_rows",
    "quarantined_rows",
    "silver_rows",
    "fact_rows",
    "gold_mismatches",
)
UNREADABLE_PUBLICATION: Final = "unreadable publication record"  # c360/snapshots.py's message


# ---- children --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildOutcome:
    killed: bool
    exit_code: int
    error: str  # why a child that was not killed failed ("" when it completed)
    seconds: float

    @property
    def failed(self) -> bool:
        return not self.killed and self.exit_code != 0


class ChildRunner(Protocol):
    name: str

    def run(self, home: Path, plan: FaultPlan | None) -> ChildOutcome: ...

    def close(self) -> None: ...


@dataclass
class CliChild:
    """The real command, `c360 stream --batches 1`, with C360_KILL_AT in its environment."""

    size: int = 120
    anomalies: int = 3
    timeout: float = 900.0
    name: str = "`c360 stream --batches 1` process"

    def run(self, home: Path, plan: FaultPlan | None) -> ChildOutcome:
        command = [
            sys.executable,
            "-m",
            "c360.cli.main",
            "stream",
            "--batches",
            "1",
            "--interval",
            "0",
            "--size",
            str(self.size),
            "--anomalies",
            str(self.anomalies),
            "--home",
            str(home),
            "--format",
            "json",
        ]
        env = child_process_env({ENV_VAR: str(plan) if plan else ""})
        began = perf_counter()
        proc = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=self.timeout, check=False
        )
        seconds = perf_counter() - began
        killed = proc.returncode == -signal.SIGKILL
        error = "" if killed or proc.returncode == 0 else _tail(proc.stderr)
        if "Traceback (most recent call last)" in proc.stderr:
            error = f"traceback: {_tail(proc.stderr)}"
        return ChildOutcome(killed, proc.returncode, error, seconds)

    def close(self) -> None:
        return None


class ForkedChild:
    """The same `stream()` cycle in a process forked from a zygote: a process that imported c360 and dbt
    and parsed the dbt project once, then forks one child per round. A fresh process per round at the
    cost of a fork, not of an interpreter start and a dbt parse. The zygote never opens the warehouse."""

    name = "forked `stream()` cycle (zygote with dbt parsed)"

    def __init__(self, size: int = 60, anomalies: int = 3, timeout: float = 600.0) -> None:
        self.size, self.anomalies, self.timeout = size, anomalies, timeout
        self._conn: Any = None
        self._zygote: Any = None
        self._home: Path | None = None

    def _start(self, home: Path) -> None:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        self._zygote = context.Process(target=zygote, args=(str(home), theirs), daemon=True)
        self._zygote.start()
        theirs.close()
        self._conn, self._home = ours, home
        ready = self._conn.recv() if self._conn.poll(self.timeout) else None
        if ready != "ready":
            raise C360Error(f"the fault-injection zygote did not start: {ready!r}")

    def run(self, home: Path, plan: FaultPlan | None) -> ChildOutcome:
        if self._conn is None or self._home != home:
            self.close()
            self._start(home)
        error_path = home / "tmp" / "fault-child-error.txt"
        error_path.parent.mkdir(parents=True, exist_ok=True)
        error_path.unlink(missing_ok=True)
        began = perf_counter()
        self._conn.send((str(plan) if plan else "", self.size, self.anomalies, str(error_path)))
        pid = self._conn.recv()
        if not self._conn.poll(self.timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._conn.recv()
            return ChildOutcome(False, -1, f"timed out after {self.timeout:.0f} s", perf_counter() - began)
        code = int(self._conn.recv())
        killed = code == -signal.SIGKILL
        error = "" if killed or code == 0 else _read_text(error_path) or f"exit code {code}"
        return ChildOutcome(killed, code, error, perf_counter() - began)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, EOFError, BrokenPipeError):
                self._conn.send(None)
            self._conn.close()
            self._conn = None
        if self._zygote is not None:
            self._zygote.join(30)
            if self._zygote.is_alive():
                self._zygote.kill()
            self._zygote = None


def zygote(home: str, conn: Any) -> None:
    """Import, parse dbt once, then fork one streaming cycle per request: (plan, size, anomalies, error
    file) -> sends the child's pid, then its exit code (negative: the signal that ended it)."""
    from c360.config import platform_settings
    from c360.steps.streaming import DbtGoldRefresh

    settings = platform_settings(Settings.load(target="local", home=home, env={}, create_home=False))
    refresh = DbtGoldRefresh()
    refresh.warm(settings)
    conn.send("ready")
    while True:
        request = conn.recv()
        if request is None:
            return
        plan, size, anomalies, error_path = request
        pid = os.fork()
        if pid == 0:  # the child: one cycle, then leave without the zygote's cleanup
            conn.close()
            os._exit(stream_once(home, plan, size, anomalies, error_path, refresh))
        conn.send(pid)
        _, status = os.waitpid(pid, 0)
        conn.send(-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))


def stream_once(home: str, plan: str, size: int, anomalies: int, error_path: str, refresh: Any = None) -> int:
    """One streaming cycle (the body of `c360 stream --batches 1`); returns the exit code."""
    from c360.config import platform_settings
    from c360.steps.streaming import DbtGoldRefresh, stream

    try:
        settings = platform_settings(
            Settings.load(target="local", home=home, env={ENV_VAR: plan}, create_home=False)
        )
        stream(settings, batches=1, size=size, anomalies=anomalies, refresh_gold=refresh or DbtGoldRefresh())
    except C360Error as exc:  # a clear error (what the CLI prints): still a failed round
        Path(error_path).write_text(f"error: {exc}")
        return 2
    except BaseException as exc:  # a traceback is a bug
        Path(error_path).write_text("traceback: " + "".join(traceback.format_exception(exc))[-3000:])
        return 3
    return 0


# ---- the reader -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedState:
    """One reader's view: the published snapshot it was pinned to (None when a publish landed while it
    opened, so the id is not known for sure) and the counts of sql/pipe/published_state.sql in it."""

    snapshot_id: int | None
    counts: tuple[int, ...]  # PUBLISHED_COLUMNS

    def as_dict(self) -> dict[str, int]:
        return dict(zip(PUBLISHED_COLUMNS, self.counts, strict=True))


def read_published_state(settings: Settings) -> PublishedState:
    """Open what readers see (`open_reader`: the lake pinned to warehouse/published.json) and count, in one
    statement, what a completely published unit of work must agree on."""
    before = published(settings)
    session = open_reader(settings)
    try:
        row = session.query(load_sql("pipe/published_state"), [PREFIX] * 5).iloc[0]
    finally:
        session.close()
    after = published(settings)
    pinned = before.snapshot_id if before is not None and before == after else None
    return PublishedState(pinned, tuple(int(row[c] or 0) for c in PUBLISHED_COLUMNS))


@dataclass
class PublicationAudit:
    """What makes what readers saw half-published, over a sequence of observations:
    - a state that breaks the invariants of one unit of work (published_state_problems): a snapshot
      published in the middle of a unit, e.g. bronze committed and gold not refreshed yet;
    - one snapshot id seen with two different states: a published snapshot that changed under readers
      (a reader not pinned, reading the writer's latest commits: old and new mixed);
    - the published id going back: readers shown an older state after a newer one;
    - a publication record that cannot be read (half written).
    """

    observations: int = 0
    violations: list[str] = field(default_factory=list)
    violation_count: int = 0
    states: set[tuple[int, ...]] = field(default_factory=set)
    snapshots: dict[int, tuple[int, ...]] = field(default_factory=dict)
    latest: int | None = None

    def observe(self, state: PublishedState) -> list[str]:
        self.observations += 1
        self.states.add(state.counts)
        problems = published_state_problems(state.as_dict())
        sid = state.snapshot_id
        if sid is not None:
            seen = self.snapshots.setdefault(sid, state.counts)
            if seen != state.counts:
                problems.append(f"snapshot {sid} read as {seen} and later as {state.counts}")
            if self.latest is not None and sid < self.latest:
                problems.append(f"the published snapshot went back from {self.latest} to {sid}")
            self.latest = sid if self.latest is None else max(self.latest, sid)
        self._record(problems, sid)
        return problems

    def unreadable(self, reason: str) -> None:
        """The publication record could not be read: a reader found it half written."""
        self._record([f"unreadable publication: {reason}"], None)

    def _record(self, problems: list[str], sid: int | None) -> None:
        if problems:
            self.violation_count += 1
            if len(self.violations) < 20:
                where = f"snapshot {sid}: " if sid is not None else ""
                self.violations.append(where + "; ".join(problems))


def read_published_states(
    home: str, stop: str, out: str, pause: float = 0.2, recheck: float | None = None
) -> None:
    """Open what readers see in a loop until `stop` exists; write what was seen to `out` (JSON).

    Without `recheck`: an observation every `pause` seconds. With it: the publication record is polled
    every `pause` seconds (a small file read) and an observation made as soon as it names another snapshot
    (every publish is read at once, not when the next turn comes), and otherwise every `recheck` seconds
    (the same published snapshot read again after the writer committed more: an unpinned reader shows).
    One observation costs ~0.6 s of CPU (it opens the lake and counts), the poll next to nothing: on two
    cores the short run in the test suite observes on change, the bench every `pause`."""
    settings = Settings.load(target="local", home=home, env={}, create_home=False)
    audit = PublicationAudit()
    errors: list[str] = []
    error_count = 0
    last_seen: object = None
    last_read = float("-inf")
    while not Path(stop).exists():
        try:
            if recheck is not None:
                pointer = published(settings)
                if pointer == last_seen and time.monotonic() - last_read < recheck:
                    time.sleep(pause)
                    continue
                last_seen, last_read = pointer, time.monotonic()
            state = read_published_state(settings)
        except C360Error as exc:
            reason = str(exc).splitlines()[0]
            if UNREADABLE_PUBLICATION in reason:
                audit.unreadable(reason)
            else:
                error_count += 1
                if len(errors) < 5:
                    errors.append(reason)
            time.sleep(pause)
            continue
        audit.observe(state)
        time.sleep(pause)
    Path(out).write_text(
        json.dumps(
            {
                "observations": audit.observations,
                "states": len(audit.states),
                "snapshots": len(audit.snapshots),
                "violations": audit.violations,
                "violation_count": audit.violation_count,
                "errors": errors,
                "error_count": error_count,
            }
        )
    )


def published_state_problems(state: dict[str, int]) -> list[str]:
    """What makes one published state half-published (sql/pipe/published_state.sql)."""
    problems = []
    if state["bronze_rows"] != state["history_loaded"]:
        problems.append(
            f"bronze has {state['bronze_rows']} rows, LOAD_HISTORY says {state['history_loaded']}"
        )
    if state["quarantined_rows"] != state["history_quarantined"]:
        problems.append(
            f"quarantine has {state['quarantined_rows']} rows, LOAD_HISTORY says {state['history_quarantined']}"
        )
    if state["silver_rows"] != state["bronze_rows"]:
        problems.append(f"silver has {state['silver_rows']} streamed rows, bronze {state['bronze_rows']}")
    if state["fact_rows"] != state["silver_rows"]:
        problems.append(f"gold has {state['fact_rows']} streamed rows, silver {state['silver_rows']}")
    if state["gold_mismatches"]:
        problems.append(f"{state['gold_mismatches']} customer(s) where gold does not reconcile with silver")
    return problems


@dataclass(frozen=True)
class ReaderLog:
    observations: int
    states: int
    snapshots: int  # distinct published snapshots seen
    violations: list[str]
    violation_count: int
    errors: list[str]
    error_count: int


class Reader:
    """The reader process (spawned: it shares nothing with the children or the harness)."""

    def __init__(self, home: Path, work: Path, pause: float = 0.2, recheck: float | None = None) -> None:
        self._stop = work / "reader.stop"
        self._out = work / "reader.json"
        self._stop.unlink(missing_ok=True)
        self._out.unlink(missing_ok=True)
        self._process = multiprocessing.get_context("spawn").Process(
            target=read_published_states,
            args=(str(home), str(self._stop), str(self._out), pause, recheck),
        )
        self._process.start()

    def stop(self, timeout: float = 120.0) -> ReaderLog:
        self._stop.touch()
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        payload = json.loads(self._out.read_text()) if self._out.is_file() else {}
        if not payload:
            return ReaderLog(0, 0, 0, [], 0, [f"the reader died (exit code {self._process.exitcode})"], 1)
        return ReaderLog(**payload)


# ---- awkward files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwkwardFile:
    key: str
    body: bytes
    records: int  # counted by construction


def awkward_file(number: int, customers: Sequence[str], at: datetime, rng: random.Random) -> AwkwardFile:
    """Five records the way real exports arrive: a quoted field with a line break, quoted delimiters and
    doubled quotes, a bad amount, a quote that is never closed, an unknown customer; CRLF, a BOM or gzip
    at random. Two load, three are quarantined."""
    when = f"{at:%Y-%m-%d %H:%M:%S}"
    a, b, c = (customers[(number + k) % len(customers)] for k in range(3))
    lines = [
        ",".join(names.TRANSACTION_FILE_COLUMNS),
        f'TXSAWK{number:05d}1,{a},{when},12.50,"Corner Shop\nUnit {number}",Grocery,Online,approved',
        f'TXSAWK{number:05d}2,{b},{when},"7.25","Dave, ""The"" Diner",Dining,In-Store,approved',
        f"TXSAWK{number:05d}3,{c},{when},abc,Bad Amount Ltd,Grocery,Online,approved",
        f'TXSAWK{number:05d}4,{c},{when},5.00,"Unclosed Quote,Grocery,Online,approved',
        f"TXSAWK{number:05d}5,CUST99999999,{when},5.00,Nobody,Grocery,Online,approved",
    ]
    newline = rng.choice(["\n", "\r\n"])
    body = (newline.join(lines) + newline).encode("utf-8")
    name = f"awkward_{number:05d}.csv"
    if rng.random() < 0.3:
        body = b"\xef\xbb\xbf" + body
    if rng.random() < 0.3:
        body, name = gzip.compress(body, mtime=0), name + ".gz"
    return AwkwardFile(f"{PREFIX}{at:%Y/%m/%d/%H}/{name}", body, 5)


def failed_export(number: int, customers: Sequence[str], at: datetime) -> AwkwardFile:
    """A file that fails as a whole, as a producer's wrong export does: five records separated by `;`,
    every one quarantined (WRONG_DELIMITER), the file LOAD_FAILED. Files like it fire the critical
    pipe_failure_rate alert: the harness expects that and checks `c360 status` accordingly."""
    when = f"{at:%Y-%m-%d %H:%M:%S}"
    header = "transaction_id;customer_id;transaction_date;transaction_amount;merchant_name;merchant_category;channel;status"
    lines = [header] + [
        f"TXSFAIL{number:05d}{k};{customers[(number + k) % len(customers)]};{when};{10 + k}.00;Shop {k};Grocery;Online;approved"
        for k in range(1, 6)
    ]
    return AwkwardFile(
        f"{PREFIX}{at:%Y/%m/%d/%H}/failed_export_{number:05d}.csv", ("\n".join(lines) + "\n").encode(), 5
    )


# ---- the campaign -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KillRound:
    number: int
    plan: FaultPlan | None  # None: the recovery run
    killed: bool
    exit_code: int
    error: str
    seconds: float


@dataclass
class Accounting:
    files: int = 0
    records: int = 0
    in_bronze: int = 0
    in_quarantine: int = 0
    lost: int = 0
    doubled: int = 0
    recorded_twice: int = 0
    history_mismatches: int = 0
    redeliveries_skipped: int = 0
    files_failed: int = 0  # LOAD_FAILED: every record quarantined (they fire pipe_failure_rate)
    gold_mismatches: int = 0
    silver_short: int = 0
    queue_left: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class CampaignReport:
    runner: str
    rounds: list[KillRound]
    recovery: list[KillRound]
    accounting: Accounting
    reader: ReaderLog | None
    redriven: int
    seconds: float
    status: StatusCheck | None = None  # `c360 status` after the recovery
    failed_exports: int = 0  # files landed to fail as a whole (failed_export)
    alerts_fired: dict[str, int] = field(default_factory=dict)  # rule -> firings during the campaign

    @property
    def kills(self) -> int:
        return sum(r.killed for r in self.rounds)

    @property
    def failed_rounds(self) -> list[KillRound]:
        return [r for r in [*self.rounds, *self.recovery] if not r.killed and r.exit_code != 0]

    @property
    def ok(self) -> bool:
        reader_ok = self.reader is None or (self.reader.violation_count == 0 and self.reader.observations > 0)
        status_ok = self.status is None or (self.status.consistent and self.status.queue_empty)
        return self.accounting.ok and reader_ok and status_ok and not self.failed_rounds

    def kills_by_point(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rounds:
            if r.killed and r.plan is not None:
                out[r.plan.point] = out.get(r.plan.point, 0) + 1
        return dict(sorted(out.items()))

    def summary(self) -> dict[str, object]:
        return {
            "runner": self.runner,
            "rounds": len(self.rounds),
            "kills": self.kills,
            "kills_by_point": self.kills_by_point(),
            "failed_rounds": [f"round {r.number}: {r.error}" for r in self.failed_rounds][:10],
            "files": self.accounting.files,
            "records": self.accounting.records,
            "records_in_bronze": self.accounting.in_bronze,
            "records_quarantined": self.accounting.in_quarantine,
            "records_lost": self.accounting.lost,
            "records_doubled": self.accounting.doubled,
            "files_recorded_twice": self.accounting.recorded_twice,
            "redeliveries_skipped": self.accounting.redeliveries_skipped,
            "files_failed": self.accounting.files_failed,
            "failed_exports_landed": self.failed_exports,
            "gold_mismatches": self.accounting.gold_mismatches,
            "dead_letters_redriven": self.redriven,
            "reader_observations": self.reader.observations if self.reader else None,
            "reader_states": self.reader.states if self.reader else None,
            "reader_snapshots": self.reader.snapshots if self.reader else None,
            "reader_half_published": self.reader.violation_count if self.reader else None,
            "reader_errors": self.reader.error_count if self.reader else None,
            "alerts_fired": self.alerts_fired,
            "status_after_recovery": self.status.as_dict() if self.status else None,
            "problems": self.accounting.problems[:20],
            "seconds": round(self.seconds, 1),
            "ok": self.ok,
        }


def draw_plan(rng: random.Random, points: dict[str, tuple[int, int]] = POINTS) -> FaultPlan:
    names_, weights = zip(*((p, w) for p, (w, _) in points.items()), strict=True)
    point = rng.choices(names_, weights=weights)[0]
    return FaultPlan(point, rng.randint(1, points[point][1]))


def run_campaign(
    settings: Settings,
    *,
    kills: int,
    runner: ChildRunner,
    seed: int = 14,
    awkward_every: int = 3,
    failed_every: int = 4,
    max_rounds: int | None = None,
    points: dict[str, tuple[int, int]] = POINTS,
    work: Path | None = None,
    with_reader: bool = True,
    reader_pause: float = 0.2,
    reader_recheck: float | None = None,
    redrive_first: bool = False,
    check_status: bool = True,
    progress: Callable[[KillRound], None] | None = None,
) -> CampaignReport:
    """Kill the ingesting process at least `kills` times (module docstring), recover, and check.

    The recovery is a plain run; messages that repeated kills sent to the dead-letter area need the
    runbook's redrive and another run. `redrive_first` redrives them before the plain run instead of after
    it: one recovery cycle (one gold refresh) instead of two, what the short run in the test suite uses;
    the kill rounds ran with those dead letters present either way. `reader_pause`, `reader_recheck`: how
    the reader observes (read_published_states; on two cores it competes with the children)."""
    rng = random.Random(seed)
    work = work or settings.tmp_dir / "faultinjection"
    work.mkdir(parents=True, exist_ok=True)
    queue = LocalNotificationQueue(settings.queue_dir)
    store = LocalObjectStore(settings.lake_dir, listeners=[queue.listener(PREFIX)])
    customers = _customer_ids(settings)
    expected: dict[str, int] = {}
    rounds: list[KillRound] = []
    recovery: list[KillRound] = []
    # the awkward files' records: noon of the as-of day, or an hour ago if that is still ahead (they must
    # never be FUTURE_TIMESTAMP, or their valid records would be quarantined for the wrong reason)
    landed_at = min(
        datetime.combine(settings.scale.as_of, datetime.min.time()) + timedelta(hours=12),
        datetime.now().replace(microsecond=0) - timedelta(hours=1),
    )
    started, began = datetime.now(), perf_counter()
    reader = Reader(settings.home, work, reader_pause, reader_recheck) if with_reader else None
    reader_log: ReaderLog | None = None
    redriven = failed_exports = 0
    try:
        number = 0
        while sum(r.killed for r in rounds) < kills and (max_rounds is None or number < max_rounds):
            number += 1
            if failed_every and number % failed_every == 0:
                failed = failed_export(number, customers, landed_at)
                store.put_bytes(failed.key, failed.body)
                expected[failed.key] = failed.records
                failed_exports += 1
            if awkward_every and number % awkward_every == 0:
                extra = awkward_file(number, customers, landed_at, rng)
                store.put_bytes(extra.key, extra.body)
                expected[extra.key] = extra.records
                if rng.random() < 0.3:  # the same object delivered again: skipped, never loaded twice
                    store.put_bytes(extra.key, extra.body)
            plan = draw_plan(rng, points)
            outcome = runner.run(settings.home, plan)
            rounds.append(
                KillRound(number, plan, outcome.killed, outcome.exit_code, outcome.error, outcome.seconds)
            )
            if progress is not None:
                progress(rounds[-1])
        if redrive_first and queue.depth().dead:
            redriven += queue.redrive()
        outcome = runner.run(settings.home, None)  # the next run recovers by itself
        recovery.append(
            KillRound(number + 1, None, outcome.killed, outcome.exit_code, outcome.error, outcome.seconds)
        )
        if queue.depth().dead:  # repeated kills exhausted a message's receives: the runbook's redrive
            redriven += queue.redrive()
            outcome = runner.run(settings.home, None)
            recovery.append(
                KillRound(number + 2, None, outcome.killed, outcome.exit_code, outcome.error, outcome.seconds)
            )
    finally:
        if reader is not None:
            reader_log = reader.stop()
        runner.close()
    accounting = account(settings, store, queue, expected)
    return CampaignReport(
        runner.name,
        rounds,
        recovery,
        accounting,
        reader_log,
        redriven,
        perf_counter() - began,
        status=run_status(settings) if check_status else None,
        alerts_fired=alerts_fired(settings.home, since=started),
        failed_exports=failed_exports,
    )


def account(
    settings: Settings, store: LocalObjectStore, queue: LocalNotificationQueue, expected: dict[str, int]
) -> Accounting:
    """Where every record of every landed file went, on the published state (module docstring)."""
    result = Accounting()
    session = open_reader(settings)
    try:
        per_file = session.query(load_sql("pipe/file_accounting"), [PREFIX] * 3).set_index("file_name")
        state = session.query(load_sql("pipe/published_state"), [PREFIX] * 5).iloc[0]
    finally:
        session.close()
    for key, _, _ in landed_files(store, PREFIX):
        records = expected.get(key)
        if records is None:
            records = _records_one_per_line(store.get_bytes(key))
        result.files += 1
        result.records += records
        if key not in per_file.index:
            result.lost += records
            result.problems.append(f"{key}: never loaded ({records} records)")
            continue
        row = per_file.loc[key]
        bronze, quarantined = int(row["bronze_rows"]), int(row["quarantined_rows"])
        distinct = (
            int(row["bronze_row_numbers"]) + int(row["quarantined_row_numbers"]) - int(row["rows_in_both"])
        )
        doubled = (bronze - int(row["bronze_row_numbers"])) + (
            quarantined - int(row["quarantined_row_numbers"])
        )
        doubled += int(row["rows_in_both"]) + max(0, distinct - records)
        lost = max(0, records - distinct)
        result.in_bronze += bronze
        result.in_quarantine += quarantined
        result.lost += lost
        result.doubled += doubled
        result.redeliveries_skipped += int(row["skipped_redeliveries"])
        result.files_failed += int(row["failed_loads"])
        if lost or doubled:
            result.problems.append(
                f"{key}: {records} records, {bronze} in bronze + {quarantined} quarantined ({lost} lost, {doubled} doubled)"
            )
        if int(row["loads"]) != 1:
            result.recorded_twice += max(0, int(row["loads"]) - 1)
            result.problems.append(f"{key}: {int(row['loads'])} LOAD_HISTORY rows loaded it")
        elif int(row["history_loaded"]) != bronze or int(row["history_quarantined"]) != quarantined:
            result.history_mismatches += 1
            result.problems.append(
                f"{key}: LOAD_HISTORY says {int(row['history_loaded'])} loaded / "
                f"{int(row['history_quarantined'])} quarantined, found {bronze} / {quarantined}"
            )
    published = {c: int(state[c] or 0) for c in PUBLISHED_COLUMNS}
    result.gold_mismatches = published["gold_mismatches"]
    result.silver_short = max(0, published["bronze_rows"] - published["silver_rows"])
    result.problems.extend(f"published state: {p}" for p in published_state_problems(published))
    depth = queue.depth()
    result.queue_left = depth.visible + depth.in_flight + depth.dead
    if result.queue_left:
        result.problems.append(
            f"queue not drained: {depth.visible} waiting, {depth.in_flight} in flight, {depth.dead} dead"
        )
    return result


def _records_one_per_line(data: bytes) -> int:
    """Records of a generated batch: one per non-blank line after the header (no quoted line breaks)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    lines = [line for line in data.splitlines() if line.strip()]
    return max(0, len(lines) - 1)


def _customer_ids(settings: Settings, limit: int = 50) -> list[str]:
    session = open_reader(settings)
    try:
        frame: pd.DataFrame = session.query(
            "select customer_id from BRONZE.BRONZE_CUSTOMERS order by customer_id limit ?", [limit]
        )
    finally:
        session.close()
    if frame.empty:
        raise C360Error(f"no customers under {settings.home}: run `c360 up` first")
    return [str(c) for c in frame["customer_id"]]


def _tail(text: str, lines: int = 4) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


def _read_text(path: Path) -> str:
    with contextlib.suppress(OSError):
        return path.read_text().strip()
    return ""


def as_json(report: CampaignReport) -> dict[str, Any]:
    return {
        **report.summary(),
        "round_log": [
            {
                "round": r.number,
                "plan": str(r.plan) if r.plan else "recovery",
                "killed": r.killed,
                "exit_code": r.exit_code,
                "error": r.error,
                "seconds": round(r.seconds, 2),
            }
            for r in [*report.rounds, *report.recovery]
        ],
    }
