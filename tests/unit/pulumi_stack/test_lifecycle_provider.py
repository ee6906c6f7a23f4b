"""LifecycleStepProvider: check/create/diff/update/delete called directly, against the local engine.

The provider runs the very step functions `c360 up` runs (run_all(..., only=[step])); these tests use
the steps that exist today on target `local` at a tiny scale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from c360.config import Settings, Target
from c360.engines import open_session
from c360.observability import step_fingerprint
from c360.storage import open_store
from c360.storage.s3 import S3ObjectStore
from components.providers.lifecycle_step import (
    PROVIDER_VERSION,
    LifecycleStepProvider,
    StepNotAvailableError,
    _settings,
)

FP = "a" * 64


def props(step: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "step": step,
        "target": "local",
        "customers": 150,
        "months": 3,
        "seed": 7,
        "as_of": "2026-10-15",
        "fingerprint": FP,
        "bucket": None,
        "region": None,
        "provider_version": PROVIDER_VERSION,
    }
    base.update(changes)
    return base


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "c360home"
    monkeypatch.setenv("C360_HOME", str(folder))
    return folder


def local_settings(home: Path) -> Settings:
    return Settings.load(
        target="local", customers=150, months=3, seed=7, as_of="2026-10-15", home=home, env={}
    )


def recorded_fingerprint(home: Path, step: str) -> str | None:
    session = open_session(local_settings(home), read_only=True)
    try:
        return step_fingerprint(session, step)
    finally:
        session.close()


def test_check_normalises_numbers_and_rejects_bad_inputs() -> None:
    provider = LifecycleStepProvider()
    ok = provider.check({}, props("customers", customers=150.0, months=3.0))
    assert ok.failures == []
    assert ok.inputs["customers"] == 150 and isinstance(ok.inputs["customers"], int)

    bad = provider.check(
        {},
        props("Drop Table", target="cloud", customers=0, months=2.5, as_of="15/10/2026", fingerprint="xyz"),
    )
    failed = {f.property for f in bad.failures}
    assert failed == {"step", "target", "customers", "months", "as_of", "fingerprint"}
    no_bucket = provider.check({}, props("customers", target="snowflake", bucket=None))
    assert [f.property for f in no_bucket.failures] == ["bucket"]


def test_create_update_delete_run_the_real_steps(home: Path) -> None:
    provider = LifecycleStepProvider()
    created = provider.create(props("provision"))
    assert created.id == "local:provision"
    assert created.outs["status"] == "ran"

    customers = provider.create(props("customers"))
    assert customers.outs["status"] == "ran" and customers.outs["rows"] == 150
    fingerprint = recorded_fingerprint(home, "customers")
    assert fingerprint is not None

    transactions = provider.create(props("transactions"))
    assert transactions.outs["status"] == "ran" and transactions.outs["rows"] > 150 * 3

    # update with the same inputs is the step's own idempotent re-run: nothing to do
    again = provider.update("local:customers", customers.outs, props("customers", fingerprint="b" * 64))
    assert again.outs["status"] == "skipped" and again.outs["rows"] == 150

    # a different seed is new data: the step really runs and replaces its rows
    reseeded = provider.update("local:customers", again.outs, props("customers", seed=8))
    assert reseeded.outs["status"] == "ran" and reseeded.outs["rows"] == 150
    assert recorded_fingerprint(home, "customers") != fingerprint

    # delete forgets the completion record, so a re-created resource does the work in full
    provider.delete("local:customers", reseeded.outs)
    assert recorded_fingerprint(home, "customers") is None
    recreated = provider.create(props("customers", seed=8))
    assert recreated.outs["status"] == "ran"


def test_delete_without_a_warehouse_is_a_no_op(home: Path) -> None:
    LifecycleStepProvider().delete("local:customers", props("customers"))
    assert not (home / "warehouse").exists()


def test_unknown_step_fails_with_a_clear_message(home: Path) -> None:
    with pytest.raises(
        StepNotAvailableError, match=r"'not_a_step' is declared by the stack.*available: provision"
    ):
        LifecycleStepProvider().create(props("not_a_step"))


def test_diff_triggers_on_fingerprint_scale_and_version_and_replaces_on_step() -> None:
    provider = LifecycleStepProvider()
    stored = {**props("dbt_build"), "status": "ran", "rows": 10, "customers": 150.0}  # state carries floats
    assert provider.diff("local:dbt_build", stored, props("dbt_build")).changes is False
    for change in (
        {"fingerprint": "c" * 64},
        {"customers": 151},
        {"as_of": "2026-10-14"},
        {"provider_version": 99},
    ):
        result = provider.diff("local:dbt_build", stored, props("dbt_build", **change))
        assert result.changes is True and result.replaces == [], change
    moved = provider.diff("local:dbt_build", stored, props("churn_model"))
    assert moved.replaces == ["step"] and moved.delete_before_replace is True


def test_snowflake_target_lands_in_the_stack_bucket(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On target snowflake the steps' object store is the stack's bucket (input), in its region."""
    monkeypatch.setenv("C360_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT", "myorg-c360_dev")
    monkeypatch.setenv("SNOWFLAKE_USER", "C360_PIPELINE")
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", "not-used")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("C360_BUCKET", raising=False)
    settings = _settings(
        props("customers", target="snowflake", bucket="c360-dev-landing-123", region="eu-west-1")
    )
    assert settings.target is Target.snowflake
    assert (settings.bucket, settings.aws_region) == ("c360-dev-landing-123", "eu-west-1")
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="c360-dev-landing-123", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        store = open_store(settings)
        assert isinstance(store, S3ObjectStore)
        store.put_bytes("customers/customers.csv", b"customer_id\nCUST00000001\n")
        assert store.get_bytes("customers/customers.csv").startswith(b"customer_id")
