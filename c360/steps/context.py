"""What every lifecycle step receives and returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from c360.config import Settings
from c360.engines.base import WarehouseSession
from c360.storage.base import ObjectStore

# progress(step, completed, total, message): rendered by the CLI on stderr; a no-op elsewhere.
Progress = Callable[[str, float, float, str], None]


class Closeable(Protocol):
    def close(self) -> None: ...


SharedT = TypeVar("SharedT", bound=Closeable)


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
    _shared: dict[str, Closeable] = field(default_factory=dict, init=False, repr=False)

    def shared(self, key: str, make: Callable[[], SharedT], kind: type[SharedT]) -> SharedT:
        """The run's one `key` resource, made on first use and shared by the steps that ask for it (the
        in-process dbt of dbt_build and churn_model: the project parsed once per `c360 up`, not once per
        step); the pipeline closes them at the end (close). Made by the caller, so this module imports
        none of them: a step's fingerprint follows its imports, and provision must not depend on dbt."""
        if key not in self._shared:
            self._shared[key] = make()
        resource = self._shared[key]
        if not isinstance(resource, kind):
            raise TypeError(f"shared resource {key!r} is a {type(resource).__name__}, not a {kind.__name__}")
        return resource

    def close(self) -> None:
        """Release what the run's steps shared (the in-process dbt and its database)."""
        shared, self._shared = self._shared, {}
        for resource in shared.values():
            resource.close()

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
