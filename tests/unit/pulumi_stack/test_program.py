"""The whole program (stacks/__main__.py) under mocks, for the dev and prod stack files."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from c360.outputs import OUTPUT_KEYS
from c360.paths import REPO_ROOT
from tests.unit.pulumi_stack.conftest import NOTIFICATION_CHANNEL, RecordingMocks

PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n"


def stack_config(stack: str, app_dir: Path, dbt_dir: Path, **overrides: str) -> dict[str, str]:
    raw = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    config = {k: str(v) for k, v in raw.items()}
    config.update({"c360:appDir": str(app_dir), "c360:dbtProjectDir": str(dbt_dir)})
    config.update(overrides)
    return config


def run_program(
    mocks: RecordingMocks, stack: str, config: dict[str, str], secret_keys: list[str]
) -> dict[str, Any]:
    """Run stacks/__main__.py like the CLI would and return the resolved exports."""
    pulumi.runtime.set_mocks(mocks, project="c360", stack=stack, preview=False)
    pulumi.runtime.set_all_config(config, secret_keys)
    exported: dict[str, pulumi.Output[Any]] = {}
    original = pulumi.export
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        runpy.run_path(str(REPO_ROOT / "stacks" / "__main__.py"), run_name="__main__")
        return pulumi.Output.all(**{k: pulumi.Output.from_input(v) for k, v in exported.items()}).apply(
            resolved.update
        )

    pulumi.export = lambda key, value: exported.__setitem__(key, value)  # type: ignore[assignment]
    try:
        program()
    finally:
        pulumi.export = original  # type: ignore[assignment]
    return resolved


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_program_exports_exactly_the_output_keys(
    mocks: RecordingMocks, app_dir: Path, dbt_dir: Path, stack: str
) -> None:
    config = stack_config(stack, app_dir, dbt_dir, **{"c360:snowflakePrivateKey": PRIVATE_KEY})
    outputs = run_program(mocks, stack, config, ["c360:snowflakePrivateKey"])
    assert tuple(outputs) == OUTPUT_KEYS
    assert outputs["target"] == "snowflake"
    assert outputs["pipe_notification_channel"] == NOTIFICATION_CHANNEL
