"""StepContext: the steps of one `c360 up` share one in-process dbt (parsed once per run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from c360.config import Settings
from c360.steps.context import StepContext
from c360.transform.dbt import shared_runner


def test_steps_of_a_run_share_one_dbt_runner_until_the_run_closes(tmp_path: Path) -> None:
    settings = Settings.load(target="local", home=tmp_path / "home", env={})
    ctx = StepContext(settings, session=None, store=None, run_id="test")  # type: ignore[arg-type]
    first = shared_runner(ctx)
    assert shared_runner(ctx) is first  # dbt_build and churn_model get the same parsed project
    ctx.close()
    second = shared_runner(ctx)
    assert second is not first  # a run after close starts a new one
    ctx.close()


class _Resource:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_a_shared_resource_is_made_once_checked_for_its_kind_and_closed_with_the_run(tmp_path: Path) -> None:
    settings = Settings.load(target="local", home=tmp_path / "home", env={})
    ctx = StepContext(settings, session=None, store=None, run_id="test")  # type: ignore[arg-type]
    made = ctx.shared("thing", _Resource, _Resource)
    assert ctx.shared("thing", _Resource, _Resource) is made
    with pytest.raises(TypeError, match="shared resource 'thing' is a _Resource"):
        ctx.shared("thing", _Resource, Settings)  # type: ignore[type-var]
    ctx.close()
    assert made.closed and ctx.shared("thing", _Resource, _Resource) is not made
