"""Kill plans: parsed from C360_KILL_AT (through Settings), counted per point, fired once."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from c360.config import Settings
from c360.errors import SettingsError
from c360.faults import FILL_DISK, KILL_POINTS, FaultInjector, FaultPlan, fill_disk


def test_a_plan_fires_at_the_nth_time_its_point_is_reached() -> None:
    kills: list[str] = []
    injector = FaultInjector(FaultPlan("pipe.committed", 2), kill=lambda: kills.append("killed"))
    for point in ("pipe.received", "pipe.committed", "pipe.acked", "pipe.committed", "pipe.committed"):
        injector(point)
    assert kills == ["killed"]
    assert injector.reached["pipe.committed"] == 3 and injector.reached["pipe.received"] == 1


def test_points_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown fault point"):
        FaultInjector()("pipe.somewhere")


def test_the_plan_comes_from_the_environment_through_settings(tmp_path: Path) -> None:
    settings = Settings.load(home=tmp_path, env={"C360_KILL_AT": "gold.node@3"})
    assert settings.kill_at == FaultPlan("gold.node", 3) and str(settings.kill_at) == "gold.node@3"
    assert Settings.load(home=tmp_path, env={"C360_KILL_AT": ""}).kill_at is None
    assert FaultPlan.parse("publish.staged") == FaultPlan("publish.staged", 1)
    fill = Settings.load(home=tmp_path, env={"C360_KILL_AT": "pipe.recorded@2:fill-disk"}).kill_at
    assert fill == FaultPlan("pipe.recorded", 2, FILL_DISK) and str(fill) == "pipe.recorded@2:fill-disk"
    for bad in ("nowhere@1", "pipe.acked@0", "pipe.acked@x", "pipe.acked@1:flood"):
        with pytest.raises(SettingsError, match="C360_KILL_AT"):
            Settings.load(home=tmp_path, env={"C360_KILL_AT": bad})
    assert len(KILL_POINTS) == len(set(KILL_POINTS)) == 14


def test_a_fill_disk_plan_fills_the_disk_at_its_point_and_the_process_carries_on(tmp_path: Path) -> None:
    """On a 1 MiB tmpfs: after the point, the next write fails with ENOSPC (needs root to mount)."""
    from c360.bench.fulldisk import small_tmpfs, tmpfs_unavailable

    reason = tmpfs_unavailable()
    if reason is not None:
        pytest.skip(f"needs a size-limited tmpfs: {reason}")
    with small_tmpfs(tmp_path / "disk", 1024 * 1024) as disk:
        kills: list[str] = []
        filler = disk / "tmp" / "disk-filler"
        injector = FaultInjector(
            FaultPlan("pipe.checked", 2, FILL_DISK), kill=lambda: kills.append("x"), filler=filler
        )
        injector("pipe.checked")
        (disk / "before.txt").write_bytes(b"x" * 8192)  # room left after the first time
        injector("pipe.checked")
        with pytest.raises(OSError) as full:
            (disk / "after.txt").write_bytes(b"x" * 8192)
        assert full.value.errno == errno.ENOSPC and kills == []
        filler.unlink()
        (disk / "after.txt").write_bytes(b"x" * 8192)  # the filler gone, the disk has room again


def test_fill_disk_refuses_a_disk_with_more_free_space_than_its_limit(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="refuses to fill"):
        fill_disk(tmp_path / "filler", limit=0)
    assert not (tmp_path / "filler").exists()
