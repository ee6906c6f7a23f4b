"""StepContext: the steps of one `c360 up` share one in-process dbt (parsed once per run)."""

from __future__ import annotations

from pathlib import Path

from c360.config import Settings
from c360.steps.context import StepContext


def test_steps_of_a_run_share_one_dbt_runner_until_the_run_closes(tmp_path: Path) -> None:
    settings = Settings.load(target="local", home=tmp_path / "home", env={})
    ctx = StepContext(settings, session=None, store=None, run_id="test")  # type: ignore[arg-type]
    first = ctx.dbt_runner()
    assert ctx.dbt_runner() is first  # dbt_build and churn_model get the same parsed project
    ctx.close()
    second = ctx.dbt_runner()
    assert second is not first  # a run after close starts a new one
    ctx.close()
