"""Deterministic fault points for fault-injection runs: a named point in the ingest path can SIGKILL its
own process the n-th time it is reached, or fill the disk there and carry on.

The plan comes from Settings (`C360_KILL_AT=<point>@<n>`, e.g. `pipe.committed@3`, kills;
`C360_KILL_AT=<point>@<n>:fill-disk` fills the filesystem that holds $C360_HOME/tmp, so the process's next
write fails with ENOSPC exactly there, e.g. `pipe.checked@1:fill-disk` fails the bronze insert's Parquet
write and `pipe.recorded@1:fill-disk` the catalog commit; the full-disk scenario, c360/bench/fulldisk.py,
removes the filler afterwards); without a plan every point is a no-op. The points, in the order one
streaming cycle reaches them:

    land.notify      an object is in the store, its event not yet on the queue (local store)
    pipe.received    a receive returned messages: they are in flight, nothing loaded yet
    pipe.checked     inside a file's transaction: rows parsed and checked, nothing written yet
    pipe.bronze      inside the transaction: good rows inserted into bronze (Parquet written, uncommitted)
    pipe.quarantined inside the transaction: bad rows inserted into the quarantine
    pipe.recorded    inside the transaction: LOAD_HISTORY row written, the lake commit (catalog) next
    pipe.committed   the file's lake commit done, its queue message not yet deleted
    pipe.acked       the message deleted
    gold.start       the files committed, the incremental dbt refresh about to start (writer lock held)
    gold.node        a dbt node finished (n = after the n-th node of the process); after the last node
                     of a successful refresh the stream publishes at once (publish.*), before dbt's
                     on-run-end hooks
    gold.done        dbt finished (readers see the refreshed gold when every node succeeded)
    publish.start    the unit of work committed (gold refreshed), nothing of it published yet
    publish.staged   the new publication record is written beside the old one, not yet renamed over it
                     (n = 2: the second publish of a cycle, the one that carries the gold stamps)
    publish.done     readers see the new snapshot; LOAD_HISTORY.gold_refreshed_at not yet stamped

Never set a plan outside a fault-injection run: the process kills itself without cleanup, on purpose; a
fill-disk plan refuses to fill more than FILL_LIMIT bytes (it is meant for a small tmpfs, never a real disk).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from c360.errors import SettingsError

log = logging.getLogger(__name__)

KILL_POINTS: Final = (
    "land.notify",
    "pipe.received",
    "pipe.checked",
    "pipe.bronze",
    "pipe.quarantined",
    "pipe.recorded",
    "pipe.committed",
    "pipe.acked",
    "gold.start",
    "gold.node",
    "gold.done",
    "publish.start",
    "publish.staged",
    "publish.done",
)
ENV_VAR: Final = "C360_KILL_AT"

FaultHook = Callable[[str], None]


def no_fault(point: str) -> None:
    return None


KILL: Final = "kill"
FILL_DISK: Final = "fill-disk"
FILL_LIMIT: Final = 1024**3
FILLER_NAME: Final = "disk-filler"  # under $C360_HOME/tmp


@dataclass(frozen=True)
class FaultPlan:
    point: str
    occurrence: int = 1
    action: str = KILL  # KILL | FILL_DISK

    @classmethod
    def parse(cls, text: str | None) -> FaultPlan | None:
        """`point@n[:fill-disk]` (n >= 1; `point` alone means the first time); empty or None: no plan."""
        if text is None or not text.strip():
            return None
        plan, _, action = text.strip().partition(":")
        point, _, count = plan.partition("@")
        if point not in KILL_POINTS:
            raise SettingsError(f"{ENV_VAR}: unknown kill point {point!r} (one of {', '.join(KILL_POINTS)})")
        if count and (not count.isdigit() or int(count) < 1):
            raise SettingsError(f"{ENV_VAR}: occurrence must be a positive integer, got {count!r}")
        if action not in ("", FILL_DISK):
            raise SettingsError(f"{ENV_VAR}: unknown action {action!r} (none, to kill, or {FILL_DISK})")
        return cls(point, int(count) if count else 1, action or KILL)

    def __str__(self) -> str:
        return f"{self.point}@{self.occurrence}" + ("" if self.action == KILL else f":{self.action}")


def _sigkill() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def fill_disk(filler: Path, limit: int = FILL_LIMIT) -> int:
    """Take every free byte of the filesystem holding `filler` into that file; returns the bytes taken."""
    filler.parent.mkdir(parents=True, exist_ok=True)
    stats = os.statvfs(filler.parent)
    free = stats.f_bavail * stats.f_frsize
    if free > limit:
        raise SettingsError(
            f"{ENV_VAR}: {FILL_DISK} refuses to fill {free:,} free bytes (more than {limit:,}): it is meant for "
            "a small size-limited tmpfs"
        )
    with open(filler, "ab") as handle, contextlib.suppress(OSError):  # ENOSPC: as full as it gets
        os.posix_fallocate(handle.fileno(), 0, max(free, 1))
    return free


@dataclass
class FaultInjector:
    """Call it at every named point; it acts (kills the process, or fills the disk) when the plan's point
    is reached the planned number of times. `reached` counts every point this process passed (what a run
    got through). `filler` is where a fill-disk plan puts its file."""

    plan: FaultPlan | None = None
    kill: Callable[[], None] = _sigkill
    filler: Path | None = None
    reached: Counter[str] = field(default_factory=Counter)

    def __call__(self, point: str) -> None:
        if point not in KILL_POINTS:
            raise ValueError(f"unknown fault point {point!r}")
        self.reached[point] += 1
        plan = self.plan
        if plan is None or point != plan.point or self.reached[point] != plan.occurrence:
            return
        if plan.action == FILL_DISK:
            if self.filler is None:
                raise SettingsError(f"{ENV_VAR}: {plan} needs a place for the filler file")
            taken = fill_disk(self.filler)
            log.warning("fault injection: disk filled at %s (%d bytes taken by %s)", plan, taken, self.filler)
            return
        log.warning("fault injection: killing process %d at %s", os.getpid(), plan)
        self.kill()
