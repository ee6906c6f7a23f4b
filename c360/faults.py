"""Deterministic crash points for fault-injection runs: a named point in the ingest path can SIGKILL its
own process the n-th time it is reached.

The plan comes from Settings (`C360_KILL_AT=<point>@<n>`, e.g. `pipe.committed@3`); without one every
point is a no-op. The points, in the order one streaming cycle reaches them:

    land.notify      an object is in the store, its event not yet on the queue (local store)
    pipe.received    a receive returned messages: they are in flight, nothing loaded yet
    pipe.checked     inside a file's transaction: rows parsed and checked
    pipe.bronze      inside the transaction: good rows inserted into bronze
    pipe.quarantined inside the transaction: bad rows inserted into the quarantine
    pipe.recorded    inside the transaction: LOAD_HISTORY row written, commit next
    pipe.committed   the file's transaction committed, its queue message not yet deleted
    pipe.acked       the message deleted
    gold.start       the writer released, the incremental dbt refresh about to start
    gold.node        a dbt node finished (n = after the n-th node of the process)
    gold.done        dbt finished, nothing published yet
    publish.start    the unit of work committed (gold refreshed, alerts evaluated), nothing published yet
    publish.staged   the new publication record is written beside the old one, not yet renamed over it
                     (n = 2: the second publish of a cycle, the one that carries the gold stamps)
    publish.done     readers see the new snapshot; LOAD_HISTORY.gold_refreshed_at not yet stamped

Never set a plan outside a fault-injection run: the process kills itself without cleanup, on purpose.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class KillPlan:
    point: str
    occurrence: int = 1

    @classmethod
    def parse(cls, text: str | None) -> KillPlan | None:
        """`point@n` (n >= 1; `point` alone means the first time); empty or None means no plan."""
        if text is None or not text.strip():
            return None
        point, _, count = text.strip().partition("@")
        if point not in KILL_POINTS:
            raise SettingsError(f"{ENV_VAR}: unknown kill point {point!r} (one of {', '.join(KILL_POINTS)})")
        if count and (not count.isdigit() or int(count) < 1):
            raise SettingsError(f"{ENV_VAR}: occurrence must be a positive integer, got {count!r}")
        return cls(point, int(count) if count else 1)

    def __str__(self) -> str:
        return f"{self.point}@{self.occurrence}"


def _sigkill() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class FaultInjector:
    """Call it at every named point; it kills the process when the plan's point is reached the planned
    number of times. `reached` counts every point this process passed (what a run got through)."""

    plan: KillPlan | None = None
    kill: Callable[[], None] = _sigkill
    reached: Counter[str] = field(default_factory=Counter)

    def __call__(self, point: str) -> None:
        if point not in KILL_POINTS:
            raise ValueError(f"unknown fault point {point!r}")
        self.reached[point] += 1
        if self.plan is not None and point == self.plan.point and self.reached[point] == self.plan.occurrence:
            log.warning("fault injection: killing process %d at %s", os.getpid(), self.plan)
            self.kill()
