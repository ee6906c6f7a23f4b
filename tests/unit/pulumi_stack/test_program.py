"""The whole program (stacks/__main__.py) under mocks, for the dev and prod stack files."""

from __future__ import annotations

import json
import runpy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime import rpc

from c360 import names
from c360.config import Settings
from c360.outputs import OUTPUT_KEYS, StackOutputs, default_schemas, read_outputs
from c360.paths import REPO_ROOT
from c360.steps.pipeline import local_outputs
from components.lifecycle import LIFECYCLE_STEPS
from policy.c360_rules import (
    bucket_violations,
    grant_violations,
    lifecycle_violations,
    share_violations,
    stack_bucket_violations,
    tag_violations,
    warehouse_violations,
)
from stacks.config import ConfigError
from tests.unit.pulumi_stack.conftest import (
    ACCOUNT_ID,
    MOCKS,
    NOTIFICATION_CHANNEL,
    RecordingMocks,
    Registered,
    make_app_dir,
    make_dbt_dir,
)

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


@dataclass(frozen=True)
class Deployment:
    stack: str
    outputs: dict[str, Any]
    resources: RecordingMocks  # a snapshot of what the run registered


@pytest.fixture(scope="module", params=["dev", "prod"])
def deployed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """The whole program, run once per stack file for all the tests below."""
    stack = request.param
    root = tmp_path_factory.mktemp(f"program-{stack}")
    app_dir, dbt_dir = make_app_dir(root), make_dbt_dir(root)
    config = stack_config(stack, app_dir, dbt_dir, **{"c360:snowflakePrivateKey": PRIVATE_KEY})
    MOCKS.resources.clear()
    outputs = run_program(MOCKS, stack, config, ["c360:snowflakePrivateKey"])
    snapshot = RecordingMocks()
    snapshot.resources = list(MOCKS.resources)
    MOCKS.resources.clear()
    return Deployment(stack, outputs, snapshot)


def test_exports_exactly_the_local_output_keys(deployed: Deployment, tmp_path: Path) -> None:
    stack, outputs = deployed.stack, deployed.outputs
    assert tuple(outputs) == OUTPUT_KEYS
    local = local_outputs(Settings.load(target="local", home=tmp_path / "home", as_of="2026-10-15", env={}))
    assert set(outputs["stages"]) == set(local.stages)
    assert outputs["schemas"] == local.schemas == default_schemas()
    assert outputs["target"] == "snowflake" and outputs["database"] == names.DATABASE
    assert outputs["warehouse"] == names.WAREHOUSE and outputs["app_name"] == names.STREAMLIT_APP
    assert outputs["bucket"] == f"c360-{stack}-landing-{ACCOUNT_ID}"
    assert outputs["storage_role_arn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/c360-{stack}-snowflake-storage"
    assert outputs["stages"]["streaming"] == f"@{names.DATABASE}.{names.BRONZE}.{names.STREAMING_STAGE}"
    assert outputs["pipe_notification_channel"] == NOTIFICATION_CHANNEL
    assert outputs["semantic_model_location"] == (
        f"@{names.DATABASE}.{names.GOLD}.{names.SEMANTIC_STAGE}/semantic_model.yaml"
    )
    assert outputs["app_url"].startswith("https://app.snowflake.com/myorg/")
    assert outputs["scale"]["as_of"] == "2026-10-15"
    # `pulumi stack output --json > $C360_HOME/outputs.json` is read by the same reader as the local file
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    assert read_outputs(path) == StackOutputs(**outputs)


def test_the_stack_passes_its_own_policy_pack(deployed: Deployment) -> None:
    mocks = deployed.resources
    violations = [
        f"{r.typ} {r.name}: {m}"
        for r in mocks.resources
        for check in (
            bucket_violations,
            grant_violations,
            warehouse_violations,
            tag_violations,
            lifecycle_violations,
        )
        for m in check(r.typ, r.inputs)
    ]
    rows = [
        {"type": r.typ, "name": r.name, "props": r.inputs, "bucket_refs": {r.inputs.get("bucket")}}
        for r in mocks.resources
    ]
    violations += stack_bucket_violations(rows)
    violations += share_violations(rows)
    assert violations == []
    # the share holds exactly the secure view, and the view no personal column
    (view,) = mocks.of_type("snowflake:index/view:View")
    assert view.inputs["isSecure"] == "true" and "email" not in view.inputs["statement"]
    shared = [
        r.inputs for r in mocks.of_type("snowflake:index/grantPrivilegesToShare:GrantPrivilegesToShare")
    ]
    assert [g.get("onView") for g in shared if g.get("onView")] == [
        "CUSTOMER_ANALYTICS.GOLD.CUSTOMER_PROFILE_SHARED"
    ]
    assert not any(g.get("onTable") or g.get("onAllTablesInSchema") for g in shared)
    (share,) = mocks.of_type("snowflake:index/share:Share")
    assert "accounts" not in share.inputs  # no consumer until stack config names one
    assert len(mocks.of_type("aws:s3/bucket:Bucket")) == 1


def test_each_snowflake_resource_is_deployed_by_the_right_role(deployed: Deployment) -> None:
    mocks = deployed.resources
    providers = {r.name: r.inputs for r in mocks.of_type("pulumi:providers:snowflake")}
    assert {n: p["role"] for n, p in providers.items()} == {
        "snowflake-admin": "ACCOUNTADMIN",
        "snowflake-security": "SECURITYADMIN",
        "snowflake-objects": "SYSADMIN",
    }
    for provider in providers.values():
        assert json.loads(provider["previewFeaturesEnabled"]) == [
            "snowflake_table_resource",
            "snowflake_pipe_resource",
            "snowflake_alert_resource",
            "snowflake_email_notification_integration_resource",
            "snowflake_notification_integration_resource",
            "snowflake_share_resource",
        ]
        assert provider["privateKey"][rpc._special_sig_key] == rpc._special_secret_sig  # a secret, not text
        assert (provider["organizationName"], provider["authenticator"]) == ("MYORG", "SNOWFLAKE_JWT")

    def expected(r: Registered) -> str:
        account_level = (
            r.typ.endswith(
                (
                    "StorageIntegrationAws",
                    "ResourceMonitor",
                    "NotificationIntegration",  # also EmailNotificationIntegration
                    "Share",
                    "GrantPrivilegesToShare",
                )
            )
            or r.inputs.get("onAccount") is True
            or "resource_monitor" in str(r.inputs.get("execute", ""))  # attaching needs ACCOUNTADMIN
        )
        if account_level or r.inputs.get("onAccountObject", {}).get("objectType") in (
            "INTEGRATION",
            "RESOURCE MONITOR",
        ):
            return "snowflake-admin"
        if r.typ.endswith(("AccountRole", "GrantPrivilegesToAccountRole", "GrantAccountRole")):
            return "snowflake-security"
        return "snowflake-objects"

    snowflake_resources = [r for r in mocks.resources if r.typ.startswith("snowflake:")]
    assert len(snowflake_resources) > 100
    for r in snowflake_resources:
        assert r.provider, f"{r.typ} {r.name} uses the default provider"
        assert r.provider.split("::")[-2] == expected(r), (r.typ, r.name)


def test_lifecycle_steps_follow_the_infrastructure(deployed: Deployment) -> None:
    stack, outputs, mocks = deployed.stack, deployed.outputs, deployed.resources
    steps = [
        (i, r) for i, r in enumerate(mocks.resources) if r.typ == "pulumi-python:dynamic/c360:LifecycleStep"
    ]
    assert [r.inputs["step"] for _, r in steps] == list(LIFECYCLE_STEPS)
    # alerts and the shared view come after the steps that create what they read (the observability tables,
    # the profile); everything else before the first step
    late = ("alerting-", "sharing-")
    infrastructure = [
        i
        for i, r in enumerate(mocks.resources)
        if r.typ.startswith(("snowflake:", "aws:")) and not r.name.startswith(late)
    ]
    assert max(infrastructure) < steps[0][0]  # depends_on a component waits for all of its children
    at = {r.inputs["step"]: i for i, r in steps}
    alerts = [i for i, r in enumerate(mocks.resources) if r.typ == "snowflake:index/alert:Alert"]
    (view,) = [i for i, r in enumerate(mocks.resources) if r.typ == "snowflake:index/view:View"]
    assert len(alerts) == 10 and min(alerts) > at["provision"] and view > at["dbt_build"]
    assert all(
        r.inputs["bucket"] == outputs["bucket"] and r.inputs["target"] == "snowflake" for _, r in steps
    )
    assert {r.inputs["customers"] for _, r in steps} == {5000 if stack == "dev" else 50000}


def test_lifecycle_can_be_switched_off(mocks: RecordingMocks, app_dir: Path, dbt_dir: Path) -> None:
    config = stack_config("dev", app_dir, dbt_dir, **{"c360:lifecycle": "false"})
    outputs = run_program(mocks, "dev", config, [])
    assert tuple(outputs) == OUTPUT_KEYS
    assert mocks.of_type("pulumi-python:dynamic/c360:LifecycleStep") == []
    assert mocks.of_type("pulumi:providers:snowflake")[0].inputs.get("privateKey") is None


def test_bad_config_fails_before_any_resource(mocks: RecordingMocks, app_dir: Path, dbt_dir: Path) -> None:
    config = stack_config("dev", app_dir, dbt_dir, **{"c360:warehouseAutoSuspendSeconds": "3600"})
    with pytest.raises(ConfigError, match="warehouseAutoSuspendSeconds must be between 60 and 300"):
        run_program(mocks, "dev", config, [])
    assert mocks.resources == []


def test_personal_data_is_masked_and_alerts_are_declared_from_their_definitions(deployed: Deployment) -> None:
    """Issue 16: the masking policies are c360/masking.py's bodies, bronze's personal columns carry them, and
    each alert rule of c360/alerts/rules.py is one ALERT object on its severity's schedule."""
    from c360.alerts.rules import RULES
    from c360.masking import TREATMENTS, policy_body

    mocks = deployed.resources
    policies = {
        r.inputs["name"]: r.inputs for r in mocks.of_type("snowflake:index/maskingPolicy:MaskingPolicy")
    }
    assert {t.policy: policy_body(k) for k, t in TREATMENTS.items()} == {
        n: p["body"] for n, p in policies.items()
    }
    assert all(p["schema"] == "OBSERVABILITY" and p["returnDataType"] == "VARCHAR" for p in policies.values())
    (customers,) = [
        t for t in mocks.of_type("snowflake:index/table:Table") if t.inputs["name"] == "BRONZE_CUSTOMERS"
    ]
    masked = {
        c["name"]: c.get("maskingPolicy") for c in customers.inputs["columns"] if c.get("maskingPolicy")
    }
    assert masked == {
        "FIRST_NAME": "CUSTOMER_ANALYTICS.OBSERVABILITY.C360_PII_FIRST_NAME",
        "LAST_NAME": "CUSTOMER_ANALYTICS.OBSERVABILITY.C360_PII_LAST_NAME",
        "EMAIL": "CUSTOMER_ANALYTICS.OBSERVABILITY.C360_PII_EMAIL",
    }
    alerts = {r.inputs["name"]: r.inputs for r in mocks.of_type("snowflake:index/alert:Alert")}
    assert set(alerts) == {rule.object_name for rule in RULES}
    for rule in RULES:
        alert = alerts[rule.object_name]
        assert alert["alertSchedule"] == {"interval": rule.schedule_minutes} and alert["enabled"] is True
        assert alert["action"].startswith("execute immediate $$") and f"'{rule.name}'" in alert["condition"]
    topics = [t.inputs["name"] for t in mocks.of_type("aws:sns/topic:Topic")]
    assert any(t.endswith("-alert-pages") for t in topics)
