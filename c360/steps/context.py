"""What every lifecycle step receives and returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from c360.config import Settings
from c360.engines.base import WarehouseSession
from c360.storage.base import ObjectStore

if TYPE_CHECKING:
    from c360.transform.dbt import InProcessDbt

# progress(step, completed, total, message): rendered by the CLI on stderr; a no-op elsewhere.
Progress = Callable[[str, float, float, str], None]


def no_progress(step: str, completed: float, total: float, message: str) -> None:
    return None


@dataclass
class StepContext:
    settings: Settings
    session: WarehouseSession
    store: ObjectStore
    run_id: str
    progress: Progress = no_progress
    force: bool = False
    _dbt: InProcessDbt | None = field(default=None, init=False, repr=False)

    def dbt_runner(self) -> InProcessDbt:
        """The run's one in-process dbt, shared by its steps (dbt_build, churn_model): dbt is imported and
        the project parsed once per `c360 up`, not once per step. Steps release its database when they are
        done with it (InProcessDbt.release_database); the pipeline closes it at the end (close)."""
        if self._dbt is None:
            from c360.transform.dbt import InProcessDbt  # dbt is heavy: only runs that build import it

            self._dbt = InProcessDbt(self.settings)
        return self._dbt

    def close(self) -> None:
        """Release what the run's steps shared (the in-process dbt and its database)."""
        if self._dbt is not None:
            self._dbt.close()
            self._dbt = None

    @contextmanager
    def warehouse_released(self) -> Iterator[None]:
        """Let another process write the warehouse for the duration of the block (dbt-duckdb).

        A local DuckDB file takes one writer: the session closes it and reopens it afterwards. Sessions
        without such a lock (Snowflake) are left as they are.
        """
        release = getattr(self.session, "released", None)
        if release is None:
            yield
            return
        with release():
            yield


@dataclass(frozen=True)
class StepResult:
    step: str
    status: str  # ran | skipped
    seconds: float
    rows: int = 0
    details: dict[str, object] = field(default_factory=dict)
    cpu_seconds: float | None = None  # process + child CPU time, set by the pipeline (steps.pipeline)
