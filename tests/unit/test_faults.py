"""Kill plans: parsed from C360_KILL_AT (through Settings), counted per point, fired once."""

from __future__ import annotations

from pathlib import Path

import pytest

from c360.config import Settings
from c360.errors import SettingsError
from c360.faults import KILL_POINTS, FaultInjector, KillPlan


def test_a_plan_fires_at_the_nth_time_its_point_is_reached() -> None:
    kills: list[str] = []
    injector = FaultInjector(KillPlan("pipe.committed", 2), kill=lambda: kills.append("killed"))
    for point in ("pipe.received", "pipe.committed", "pipe.acked", "pipe.committed", "pipe.committed"):
        injector(point)
    assert kills == ["killed"]
    assert injector.reached["pipe.committed"] == 3 and injector.reached["pipe.received"] == 1


def test_points_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown fault point"):
        FaultInjector()("pipe.somewhere")


def test_the_plan_comes_from_the_environment_through_settings(tmp_path: Path) -> None:
    settings = Settings.load(home=tmp_path, env={"C360_KILL_AT": "gold.node@3"})
    assert settings.kill_at == KillPlan("gold.node", 3) and str(settings.kill_at) == "gold.node@3"
    assert Settings.load(home=tmp_path, env={"C360_KILL_AT": ""}).kill_at is None
    assert KillPlan.parse("publish.staged") == KillPlan("publish.staged", 1)
    for bad in ("nowhere@1", "pipe.acked@0", "pipe.acked@x"):
        with pytest.raises(SettingsError, match="C360_KILL_AT"):
            Settings.load(home=tmp_path, env={"C360_KILL_AT": bad})
    assert len(KILL_POINTS) == len(set(KILL_POINTS)) == 14
