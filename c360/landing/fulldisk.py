"""Full-disk scenario: the platform's home on a small tmpfs, filled up to leave a given number of bytes
free, then `c360 ingest` (the real command, gold refresh and publish included) of a few files.

What must hold for every amount of free space: the command prints its JSON report and exits 0 or 1
with a clear reason (never a traceback); after the space is freed, the next `c360 ingest` loads every
file the failed run accepted (`--rescan`; files the failed run reported as not landed are given again,
as its message says), and the accounting of c360/landing/faultinjection.py holds: every record in bronze
or the quarantine exactly once, no file loaded twice, gold reconciles with silver.

The disk is real: a tmpfs mounted with `size=`, so the kernel refuses the writes (ENOSPC) wherever they
happen, including inside DuckDB and dbt. Mounting needs root (or CAP_SYS_ADMIN); where that is not
possible the scenario reports itself unavailable instead of pretending.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Final

from c360.config import Settings, child_process_env
from c360.faults import ENV_VAR
from c360.landing.faultinjection import Accounting, account
from c360.landing.queue import LocalNotificationQueue
from c360.outputs import platform_settings
from c360.storage.local import LocalObjectStore

KIB: Final = 1024
MIB: Final = 1024 * KIB
# free space left on the disk per run: nothing; a few pages (some files land); room to land but not to
# load; room to load but not for dbt's files and the publish; room for all but the published copy
BUDGETS: Final = (0, 12 * KIB, 256 * KIB, 4 * MIB, 24 * MIB)


@dataclass(frozen=True)
class FullDiskRun:
    free_bytes: int
    exit_code: int
    landed: int
    loaded: int
    failures: list[str]
    traceback: bool
    report_printed: bool
    recovery_exit_code: int
    recovery_failures: list[str]
    stderr_tail: str = ""  # the end of the failed run's stderr (for a traceback's location)

    @property
    def clear(self) -> bool:
        """A clear outcome: a JSON report, no traceback, and a reason whenever the run failed."""
        return self.report_printed and not self.traceback and (self.exit_code == 0 or bool(self.failures))


@dataclass
class FullDiskReport:
    mode: str  # how the disk was limited, or why the scenario could not run
    runs: list[FullDiskRun] = field(default_factory=list)
    accounting: Accounting | None = None
    seconds: float = 0.0

    @property
    def available(self) -> bool:
        return self.accounting is not None

    @property
    def ok(self) -> bool:
        return (
            self.accounting is not None
            and self.accounting.ok
            and all(r.clear and r.recovery_exit_code == 0 for r in self.runs)
        )

    def summary(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "runs": [
                {
                    "free_bytes": r.free_bytes,
                    "exit_code": r.exit_code,
                    "landed": r.landed,
                    "loaded": r.loaded,
                    "failures": r.failures[:3],
                    "clear": r.clear,
                    "recovery_exit_code": r.recovery_exit_code,
                }
                for r in self.runs
            ],
            "records": self.accounting.records if self.accounting else None,
            "records_lost": self.accounting.lost if self.accounting else None,
            "records_doubled": self.accounting.doubled if self.accounting else None,
            "problems": self.accounting.problems[:10] if self.accounting else [],
            "seconds": round(self.seconds, 1),
            "ok": self.ok,
        }


def tmpfs_unavailable() -> str | None:
    """None when a size-limited tmpfs can be mounted here, else why not."""
    if not sys.platform.startswith("linux"):
        return "a size-limited tmpfs needs Linux"
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root (or CAP_SYS_ADMIN)"
    if shutil.which("mount") is None or shutil.which("umount") is None:
        return "mount/umount not found"
    probe = Path(tempfile.mkdtemp(prefix="c360-tmpfs-probe-"))
    try:
        with small_tmpfs(probe, MIB):
            return None
    except OSError as exc:
        return f"cannot mount a tmpfs here ({exc})"
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


@contextlib.contextmanager
def small_tmpfs(path: Path, size: int) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        raise OSError(mounted.stderr.strip() or f"mount exited with {mounted.returncode}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def run_full_disk(source: Settings, work: Path, budgets: Sequence[int] = BUDGETS) -> FullDiskReport:
    """Copy the platform under `source.home` onto a small tmpfs and run the scenario (module docstring)."""
    reason = tmpfs_unavailable()
    if reason is not None:
        return FullDiskReport(f"unavailable: {reason}")
    began = perf_counter()
    used = _tree_size(source.home, skip=("snapshots",))
    # room for the copy, for what publishing writes (today up to four copies of the warehouse: the three
    # readers keep and the one being written) and for growth over the runs (DuckDB reuses freed blocks
    # but rarely shrinks a file): 6.5 x the platform, plus dbt's files. The filler takes the rest.
    size = int(used * 6.5) + 48 * MIB
    mount_point = work / "disk"
    inputs = work / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    report = FullDiskReport(
        f"tmpfs of {size / MIB:.0f} MiB (mount -o size=), filled to leave the free space shown"
    )
    with small_tmpfs(mount_point, size):
        home = mount_point / "home"
        shutil.copytree(source.home, home, ignore=shutil.ignore_patterns("*.wal", "snapshots"))
        settings = platform_settings(Settings.load(target="local", home=home, env={}, create_home=False))
        expected: dict[str, int] = {}
        for number, budget in enumerate(budgets):
            report.runs.append(_run_at(home, mount_point, budget, _inputs(inputs, number), expected))
        queue = LocalNotificationQueue(settings.queue_dir)
        store = LocalObjectStore(settings.lake_dir)
        report.accounting = account(settings, store, queue, expected)
    report.seconds = perf_counter() - began
    return report


def _run_at(
    home: Path, mount_point: Path, budget: int, files: list[tuple[Path, int]], expected: dict[str, int]
) -> FullDiskRun:
    filler = _fill(mount_point, budget)
    try:
        code, payload, stderr = _ingest(home, [str(p) for p, _ in files])
    finally:
        filler.unlink(missing_ok=True)
    counts = {str(p): n for p, n in files}
    landed = [f for f in payload.get("files", []) if f.get("file")]
    for entry in landed:
        expected[str(entry["file"])] = counts[str(entry["path"])]
    not_landed = [str(p) for p in payload.get("not_landed", [])]
    recovery_code, recovery, _ = _ingest(home, [*not_landed, "--rescan"])
    for entry in recovery.get("files", []):
        expected[str(entry["file"])] = counts[str(entry["path"])]
    return FullDiskRun(
        free_bytes=budget,
        exit_code=code,
        landed=len(landed),
        loaded=sum(1 for f in landed if f.get("status") not in (None, "QUEUED")),
        failures=[str(f) for f in payload.get("failures", [])],
        traceback=not payload and "Traceback (most recent call last)" in stderr,  # died, no report
        report_printed=bool(payload),
        recovery_exit_code=recovery_code,
        recovery_failures=[str(f) for f in recovery.get("failures", [])],
        stderr_tail="\n".join(stderr.strip().splitlines()[-12:]) if code != 0 else "",
    )


def _ingest(home: Path, args: list[str]) -> tuple[int, dict[str, object], str]:
    command = [
        sys.executable,
        "-m",
        "c360.cli.main",
        "ingest",
        *args,
        "--home",
        str(home),
        "--format",
        "json",
    ]
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=child_process_env({ENV_VAR: ""}),
        timeout=900,
        check=False,
    )
    try:
        payload = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except json.JSONDecodeError:
        payload = {}
    return proc.returncode, payload, proc.stderr


def _inputs(folder: Path, number: int) -> list[tuple[Path, int]]:
    """Three small files with new ids: (path, records)."""
    out = []
    for k in range(3):
        path = folder / f"disk_{number:02d}_{k}.csv"
        rows = [
            f"TXSDISK{number:02d}{k}{i:03d},CUST{1 + i % 20:08d},2026-01-0{1 + k} 10:00:00,{10 + i}.50,"
            f"Store {i},Grocery,Online,approved"
            for i in range(20)
        ]
        path.write_text(",".join(HEADER) + "\n" + "\n".join(rows) + "\n")
        out.append((path, len(rows)))
    return out


HEADER: Final = (
    "transaction_id",
    "customer_id",
    "transaction_date",
    "transaction_amount",
    "merchant_name",
    "merchant_category",
    "channel",
    "status",
)


def _fill(mount_point: Path, leave: int) -> Path:
    """A file that takes all but `leave` bytes of the disk's free space."""
    filler = mount_point / ".filler"
    stats = os.statvfs(mount_point)
    free = stats.f_bavail * stats.f_frsize
    size = max(0, free - leave)
    with open(filler, "wb") as handle:
        if size:
            os.posix_fallocate(handle.fileno(), 0, size)
    return filler


def _tree_size(root: Path, skip: Sequence[str] = ()) -> int:
    total = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(folder, name)).st_size
    return total
