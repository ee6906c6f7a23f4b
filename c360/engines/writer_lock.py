"""One writing process per local warehouse, many readers.

DuckLake itself lets several processes commit (optimistic concurrency), but c360's writers (`c360 up`,
`stream`, `ingest`, `train`) each publish what they wrote as one consistent state for readers, so they
take turns, as they did on the single DuckDB file: the first to open a writer session holds an exclusive
`flock` on `warehouse/.writer.lock` until its last writer session closes; another process gets a
WarehouseError saying the warehouse is busy. Inside the holding process, sessions share the lock (the
step's session, dbt's failure record and the build-state bookkeeping all open their own). dbt run in a
child process by the holder does not take it. Readers never take it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from c360.errors import WarehouseError


@dataclass
class _Held:
    fd: int
    count: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def acquire(lock_file: Path) -> None:
    """Take (or share, within this process) the writer lock; raise WarehouseError when another holds it."""
    key = lock_file.resolve()
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.count += 1
            return
        key.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise WarehouseError(
                f"the local warehouse is busy: another c360 process{holder} is writing it; readers keep "
                "answering, retry this command when that one has finished"
            ) from None
        _record_holder(fd)
        _held[key] = _Held(fd, 1)


def release(lock_file: Path) -> None:
    key = lock_file.resolve()
    with _guard:
        held = _held.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count == 0:
            del _held[key]
            os.close(held.fd)  # closing the descriptor releases the flock


def _record_holder(fd: int) -> None:
    """Write our pid for the "busy" message of others. Only informative: on a full disk (no page for the
    file) the lock is still ours and the writer goes on to fail, if at all, with its own clear error."""
    pid = str(os.getpid()).encode()
    try:
        os.pwrite(fd, pid, 0)
        os.ftruncate(fd, len(pid))
    except OSError:
        pass


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
