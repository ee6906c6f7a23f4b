"""Full-disk scenario: the platform's home on a small tmpfs, the disk full at a chosen moment of
`c360 ingest` (the real command, gold refresh and publish included) of a few files.

Two ways to fill it (each a case of CASES): before the run, leaving a given number of bytes free (nothing
lands; some files land; the files land and the load finds no room), or during the run, exactly at a fault
point (`C360_KILL_AT=<point>@1:fill-disk`, c360/faults.py): the bronze insert's Parquet write
(`pipe.checked`), a file's DuckLake catalog commit (`pipe.recorded`: the Parquet is written, the SQLite
catalog cannot grow), the dbt refresh (`gold.start`) and the publish to readers (`publish.start`).

What must hold in every case: the command prints its JSON report and exits 0 or 1 with a clear reason
(never a traceback); readers keep the last published snapshot; `c360 status` (once space is free again)
lists every landed file that was not loaded as waiting and its exit code agrees with the open alerts
(c360/landing/statuscheck.py); the next `c360 ingest` loads every file the failed run accepted
(`--rescan`; files the failed run reported as not landed are given again, as its message says), leaving
the queue empty; and the accounting of c360/bench/faultinjection.py holds over all cases: every record
in bronze or the quarantine exactly once, no file loaded twice, gold reconciles with silver.

The disk is real: a tmpfs mounted with `size=`, so the kernel refuses the writes (ENOSPC) wherever they
happen, including inside DuckDB, SQLite and dbt. Mounting needs root (or CAP_SYS_ADMIN); where that is not
possible the scenario reports itself unavailable instead of pretending.
"""

from __future__ import annotations

import contextlib
import fnmatch
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
from typing import Any, Final

from c360.bench.faultinjection import Accounting, account
from c360.config import Settings, child_process_env, platform_settings
from c360.faults import ENV_VAR, FILLER_NAME
from c360.landing.queue import LocalNotificationQueue
from c360.landing.statuscheck import StatusCheck, run_status
from c360.names import TRANSACTION_FILE_COLUMNS
from c360.snapshots import published
from c360.steps.streaming import FULL_DISK_MARKERS
from c360.storage.local import LocalObjectStore

KIB: Final = 1024
MIB: Final = 1024 * KIB


@dataclass(frozen=True)
class DiskCase:
    label: str  # where the disk is full
    free_bytes: int | None = None  # filled before the run to leave this much free; None: not before the run
    plan: str = ""  # or filled by the run itself at a fault point (C360_KILL_AT=<point>@<n>:fill-disk)

    def how(self) -> str:
        if self.plan:
            return f"filled at {self.plan.split(':')[0]}"
        return f"{_bytes(self.free_bytes or 0)} free before the run"


CASES: Final = (
    DiskCase("before anything lands", free_bytes=0),
    DiskCase("while landing", free_bytes=12 * KIB),
    DiskCase("after landing", free_bytes=256 * KIB),
    DiskCase("the bronze insert's Parquet write", plan="pipe.checked@1:fill-disk"),
    DiskCase("a file's catalog commit", plan="pipe.recorded@1:fill-disk"),
    DiskCase("the gold refresh (dbt)", plan="gold.start@1:fill-disk"),
    DiskCase("the publish to readers", plan="publish.start@1:fill-disk"),
)


@dataclass(frozen=True)
class FullDiskRun:
    case: DiskCase
    exit_code: int
    landed: int
    loaded: int
    failures: list[str]
    traceback: bool
    report_printed: bool
    published_before: int | None  # the snapshot readers saw before the run
    published_after: int | None  # ... and right after the failed run (kept unless the run published)
    status: StatusCheck | None  # `c360 status` after the failed run, space freed
    recovery_exit_code: int
    recovery_failures: list[str]
    recovery_status: StatusCheck | None  # `c360 status` after the next run
    stderr_tail: str = ""  # the end of the failed run's stderr (for a traceback's location)

    @property
    def full_disk_reported(self) -> bool:
        return any(marker in f for f in self.failures for marker in FULL_DISK_MARKERS)

    @property
    def waiting_shown(self) -> bool:
        """`c360 status` after the failed run shows every landed file it did not load as still queued."""
        if self.status is None:
            return False
        return self.status.waiting + self.status.in_flight >= self.landed - self.loaded

    @property
    def readers_kept(self) -> bool:
        """Readers never went back, and stayed on the previous snapshot when the run could not publish."""
        if self.published_before is None or self.published_after is None:
            return False
        if any("not refreshed or published" in f for f in self.failures):
            return self.published_after == self.published_before
        return self.published_after >= self.published_before

    @property
    def clear(self) -> bool:
        """A clear outcome: a JSON report, no traceback, and a full-disk reason whenever the run failed."""
        return self.report_printed and not self.traceback and (self.exit_code == 0 or self.full_disk_reported)

    @property
    def recovered(self) -> bool:
        status = self.recovery_status
        return (
            self.recovery_exit_code == 0 and status is not None and status.consistent and status.queue_empty
        )


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
            and all(
                r.clear and r.waiting_shown and r.status is not None and r.status.consistent
                for r in self.runs
            )
            and all(r.recovered for r in self.runs)
        )

    def summary(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "runs": [
                {
                    "disk full": r.case.label,
                    "how": r.case.how(),
                    "exit_code": r.exit_code,
                    "landed": r.landed,
                    "loaded": r.loaded,
                    "failures": r.failures[:3],
                    "clear": r.clear,
                    "readers_kept": r.readers_kept,
                    "published_before": r.published_before,
                    "published_after": r.published_after,
                    "status": r.status.as_dict() if r.status else None,
                    "recovery_exit_code": r.recovery_exit_code,
                    "recovery_status": r.recovery_status.as_dict() if r.recovery_status else None,
                    "recovered": r.recovered,
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


def run_full_disk(source: Settings, work: Path, cases: Sequence[DiskCase] = CASES) -> FullDiskReport:
    """Copy the platform under `source.home` onto a small tmpfs and run the scenario (module docstring)."""
    reason = tmpfs_unavailable()
    if reason is not None:
        return FullDiskReport(f"unavailable: {reason}")
    began = perf_counter()
    used = _tree_size(source.home, skip=SKIPPED)
    # room for the copy and for what the runs add: the lake never rewrites a file in place, so each run
    # adds Parquet files (bronze, the incremental models) and catalog pages until maintenance deletes what
    # no reader can see; dbt rewrites its target/ and logs. Twice the platform plus 64 MiB covers the
    # cases with room to spare (measured: a run adds well under 1 MiB at 1,000 customers); the filler
    # takes the rest.
    size = int(used * 2) + 64 * MIB
    mount_point = work / "disk"
    inputs = work / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    report = FullDiskReport(f"tmpfs of {size / MIB:.0f} MiB (mount -o size=), full at the moment shown")
    with small_tmpfs(mount_point, size):
        home = mount_point / "home"
        shutil.copytree(source.home, home, ignore=shutil.ignore_patterns(*SKIPPED))
        settings = platform_settings(Settings.load(target="local", home=home, env={}, create_home=False))
        expected: dict[str, int] = {}
        for number, case in enumerate(cases):
            report.runs.append(_run_case(settings, mount_point, case, _inputs(inputs, number), expected))
        queue = LocalNotificationQueue(settings.queue_dir)
        store = LocalObjectStore(settings.lake_dir)
        report.accounting = account(settings, store, queue, expected)
    report.seconds = perf_counter() - began
    return report


# not copied onto the disk: the single-file warehouse's reader copies and write-ahead log (platforms from
# before the lake), the extension links (re-made on first use) and the writer's lock file
SKIPPED: Final = ("snapshots", "*.wal", ".*")


def _run_case(
    settings: Settings,
    mount_point: Path,
    case: DiskCase,
    files: list[tuple[Path, int]],
    expected: dict[str, int],
) -> FullDiskRun:
    home = settings.home
    before = published(settings)
    filler = _fill(mount_point, case.free_bytes) if case.free_bytes is not None else None
    try:
        code, payload, stderr = _ingest(home, [str(p) for p, _ in files], plan=case.plan)
    finally:
        if filler is not None:
            filler.unlink(missing_ok=True)
        (settings.tmp_dir / FILLER_NAME).unlink(missing_ok=True)  # what a fill-disk plan took
    after = published(settings)
    counts = {str(p): n for p, n in files}
    landed = [f for f in payload.get("files", []) if f.get("file")]
    for entry in landed:
        expected[str(entry["file"])] = counts[str(entry["path"])]
    status = run_status(settings)
    not_landed = [str(p) for p in payload.get("not_landed", [])]
    recovery_code, recovery, _ = _ingest(home, [*not_landed, "--rescan"])
    for entry in recovery.get("files", []):
        expected[str(entry["file"])] = counts[str(entry["path"])]
    return FullDiskRun(
        case=case,
        exit_code=code,
        landed=len(landed),
        loaded=sum(1 for f in landed if f.get("status") not in (None, "QUEUED")),
        failures=[str(f) for f in payload.get("failures", [])],
        traceback=not payload and "Traceback (most recent call last)" in stderr,  # died, no report
        report_printed=bool(payload),
        published_before=before.snapshot_id if before else None,
        published_after=after.snapshot_id if after else None,
        status=status,
        recovery_exit_code=recovery_code,
        recovery_failures=[str(f) for f in recovery.get("failures", [])],
        recovery_status=run_status(settings),
        stderr_tail="\n".join(stderr.strip().splitlines()[-12:]) if code != 0 else "",
    )


def _ingest(
    home: Path, args: list[str], plan: str = ""
) -> tuple[int, dict[str, Any], str]:  # the JSON report
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
        env=child_process_env({ENV_VAR: plan}),
        timeout=900,
        check=False,
    )
    payload: dict[str, Any]
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
        path.write_text(",".join(TRANSACTION_FILE_COLUMNS) + "\n" + "\n".join(rows) + "\n")
        out.append((path, len(rows)))
    return out


def _bytes(n: int) -> str:
    return f"{n // MIB} MiB" if n >= MIB else f"{n // KIB} KiB" if n >= KIB else f"{n} B"


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
    """Bytes of the files under `root` that a copy with `ignore_patterns(*skip)` takes (links not followed)."""
    total = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not any(fnmatch.fnmatch(d, pattern) for pattern in skip)]
        for name in files:
            if any(fnmatch.fnmatch(name, pattern) for pattern in skip):
                continue
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total
