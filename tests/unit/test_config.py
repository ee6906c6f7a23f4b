from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from c360.config import Settings, Target
from c360.errors import SettingsError


def test_defaults(tmp_path: Path) -> None:
    s = Settings.load(home=tmp_path, env={})
    assert s.target is Target.local
    assert (s.scale.customers, s.scale.months, s.scale.seed) == (50_000, 18, 42)
    assert s.scale.as_of == date.today()
    assert s.warehouse_path == tmp_path.resolve() / "warehouse" / "customer_analytics.sqlite"


def test_explicit_arguments_win_over_environment(tmp_path: Path) -> None:
    env = {"C360_CUSTOMERS": "10", "C360_SEED": "5", "C360_HOME": str(tmp_path / "env")}
    s = Settings.load(customers=20, home=tmp_path / "arg", env=env)
    assert s.scale.customers == 20 and s.scale.seed == 5
    assert s.home.name == "arg"


@pytest.mark.parametrize(
    ("kwargs", "env", "message"),
    [
        ({"customers": -5}, {}, "--customers must be between 1"),
        ({"customers": 0}, {}, "--customers must be between 1"),
        ({"months": 2}, {}, "--months must be between 3"),
        ({}, {"C360_CUSTOMERS": "many"}, "C360_CUSTOMERS must be a whole number"),
        ({"target": "bigquery"}, {}, "unknown target 'bigquery'"),
        ({"as_of": "2026-13-01"}, {}, "as-of date must be YYYY-MM-DD"),
        ({"as_of": (date.today() + timedelta(days=3)).isoformat()}, {}, "is in the future"),
        ({}, {"C360_DUCKDB_MEMORY_LIMIT": "lots"}, "C360_DUCKDB_MEMORY_LIMIT"),
    ],
)
def test_bad_settings_have_clear_errors(tmp_path: Path, kwargs: dict, env: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.load(home=tmp_path, env=env, **kwargs)


def test_unwritable_home_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SettingsError, match="exists and is not a directory"):
        Settings.load(home=blocker, env={})
    with pytest.raises(SettingsError, match="is not writable"):
        Settings.load(home=blocker / "below", env={})


def test_snowflake_target_needs_credentials_from_environment(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER"):
        Settings.load(target="snowflake", home=tmp_path, env={})
    with pytest.raises(SettingsError, match="not a host name"):
        Settings.load(
            target="snowflake",
            home=tmp_path,
            env={
                "SNOWFLAKE_ACCOUNT": "x.snowflakecomputing.com",
                "SNOWFLAKE_USER": "u",
                "SNOWFLAKE_PASSWORD": "p",
            },
        )
    with pytest.raises(SettingsError, match="SNOWFLAKE_PRIVATE_KEY_PATH"):
        Settings.load(
            target="snowflake", home=tmp_path, env={"SNOWFLAKE_ACCOUNT": "o-a", "SNOWFLAKE_USER": "u"}
        )
    s = Settings.load(
        target="snowflake",
        home=tmp_path,
        env={"SNOWFLAKE_ACCOUNT": "org-acct", "SNOWFLAKE_USER": "u", "SNOWFLAKE_PASSWORD": "secret"},
    )
    assert s.snowflake is not None and s.snowflake.account == "org-acct"
    assert "secret" not in repr(s)


def test_snowflake_bucket_comes_only_from_a_stacks_outputs(tmp_path: Path) -> None:
    from c360.outputs import StackOutputs, write_outputs

    creds = {"SNOWFLAKE_ACCOUNT": "org-acct", "SNOWFLAKE_USER": "u", "SNOWFLAKE_PASSWORD": "p"}
    fields = {
        "database": "CUSTOMER_ANALYTICS",
        "schemas": {},
        "warehouse": "C360_WH",
        "storage_role_arn": None,
        "stages": {},
        "pipe_notification_channel": "",
        "app_name": "C360_APP",
        "app_url": "",
        "semantic_model_location": "",
    }
    local_home, stack_home = tmp_path / "local", tmp_path / "stack"
    for home, target, bucket in (
        (local_home, "local", str(tmp_path / "objects")),
        (stack_home, "snowflake", "c360-dev-landing"),
    ):
        home.mkdir()
        write_outputs(home / "outputs.json", StackOutputs(target=target, bucket=bucket, **fields))  # type: ignore[arg-type]
    assert Settings.load(target="snowflake", home=stack_home, env=creds).bucket == "c360-dev-landing"
    # a local platform's "bucket" is a folder: never handed to S3 (the store then asks for C360_BUCKET)
    assert Settings.load(target="snowflake", home=local_home, env=creds).bucket is None
