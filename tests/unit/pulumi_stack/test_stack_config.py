"""Stack config validation: good values parse, every bad value fails with a clear message, and all
problems are reported at once — before any resource is declared."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pulumi
import pytest

from stacks.config import ConfigError, StackConfig, load_config, parse_config
from tests.unit.pulumi_stack.conftest import RecordingMocks

TODAY = date(2026, 11, 22)
KEY = "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n"


@pytest.fixture
def raw(app_dir: Path, dbt_dir: Path) -> dict[str, str]:
    return {
        "owner": "data-platform@example.com",
        "snowflakeOrganization": "MYORG",
        "snowflakeAccount": "C360_DEV",
        "snowflakeUser": "C360_DEPLOY",
        "asOf": "2026-10-15",
        "appDir": str(app_dir),
        "dbtProjectDir": str(dbt_dir),
    }


def parse(
    raw: dict[str, str], stack: str = "dev", region: str | None = "us-east-1", secrets: set[str] | None = None
) -> StackConfig:
    return parse_config(
        raw, project="c360", stack=stack, aws_region=region, secret_keys=secrets or set(), today=TODAY
    )


def problems(raw: dict[str, str], **kwargs: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(raw, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def test_minimal_config_gets_safe_defaults(raw: dict[str, str]) -> None:
    cfg = parse(raw)
    assert cfg.warehouse.size == "XSMALL" and cfg.warehouse.auto_suspend_seconds == 60
    assert cfg.warehouse.monthly_credit_quota == 20
    assert cfg.scale.as_dict() == {"customers": 50_000, "months": 18, "seed": 42, "as_of": "2026-10-15"}
    assert cfg.snowflake.lifecycle_user == "C360_DEPLOY"
    assert (cfg.snowflake.admin_role, cfg.snowflake.security_role, cfg.snowflake.objects_role) == (
        "ACCOUNTADMIN",
        "SECURITYADMIN",
        "SYSADMIN",
    )
    assert cfg.storage_role_name == "c360-dev-snowflake-storage"
    assert cfg.storage_external_id == "c360-dev-myorg-c360_dev"
    assert cfg.tags == {
        "project": "c360",
        "environment": "dev",
        "owner": "data-platform@example.com",
        "managed-by": "pulumi",
    }
    assert cfg.force_destroy is False and cfg.lifecycle is True and cfg.bucket_name is None


def test_values_are_typed_and_normalised(raw: dict[str, str]) -> None:
    raw.update(
        {"warehouseSize": "x-small", "customers": "1000", "forceDestroy": "TRUE", "snowflakePrivateKey": KEY}
    )
    cfg = parse(raw, secrets={"snowflakePrivateKey"})
    assert cfg.warehouse.size == "XSMALL" and cfg.scale.customers == 1000 and cfg.force_destroy is True
    assert cfg.snowflake.private_key == KEY
    assert KEY not in repr(cfg)  # secrets never show up in reprs or logs


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("warehouseSize", "GIGANTIC", "c360:warehouseSize must be one of XSMALL"),
        (
            "warehouseAutoSuspendSeconds",
            "3600",
            "c360:warehouseAutoSuspendSeconds must be between 60 and 300",
        ),
        ("warehouseAutoSuspendSeconds", "soon", "must be a whole number"),
        ("monthlyCreditQuota", "-5", "c360:monthlyCreditQuota must be between 0 and 100,000"),
        ("customers", "0", "c360:customers must be between 1 and 5,000,000"),
        ("months", "99", "c360:months must be between 3 and 60"),
        ("seed", "-1", "c360:seed must be between"),
        ("asOf", "15/10/2026", "c360:asOf must be YYYY-MM-DD"),
        ("asOf", "2027-01-01", "c360:asOf 2027-01-01 is in the future"),
        ("snowflakeOrganization", "my org", "c360:snowflakeOrganization='my org' is invalid"),
        ("snowflakeObjectsRole", "sysadmin", "an upper-case Snowflake role name"),
        ("snowflakeSecurityRole", "PUBLIC", "PUBLIC cannot be a deploy role"),
        ("bucketName", "Bad_Bucket", "c360:bucketName='Bad_Bucket' is invalid"),
        ("bucketName", "10.0.0.1", "not a valid S3 bucket name"),
        ("sseAlgorithm", "none", "c360:sseAlgorithm must be one of AES256, aws:kms"),
        ("forceDestroy", "yes", "c360:forceDestroy must be true or false"),
        ("taskScheduleMinutes", "0", "c360:taskScheduleMinutes must be between 1 and 11,520"),
        ("storageExternalId", "has spaces", "c360:storageExternalId='has spaces' is invalid"),
        ("prefix", "C360", "c360:prefix='C360' is invalid"),
        ("appDir", "/no/such/folder", "c360:appDir: folder /no/such/folder does not exist"),
        ("warehouseSise", "SMALL", "unknown config key c360:warehouseSise (did you mean warehouseSize?)"),
        ("snowflake", "x", "unknown config key c360:snowflake"),  # a section's name is no key
        (
            "alertEmailCritical",
            "oncall@example.com, not-an-address",
            "c360:alertEmailCritical has invalid entries",
        ),
        ("shareConsumerAccounts", "PARTNER_ACCOUNT", "ORGANIZATION.ACCOUNT"),
        ("alertsEnabled", "sometimes", "c360:alertsEnabled must be true or false"),
    ],
)
def test_bad_values_fail_with_a_clear_message(
    raw: dict[str, str], key: str, value: str, message: str
) -> None:
    raw[key] = value
    found = problems(raw)
    assert any(message in p for p in found), found


def test_all_problems_are_reported_together(raw: dict[str, str]) -> None:
    del raw["owner"], raw["snowflakeAccount"]
    raw.update({"protect": "true", "forceDestroy": "true", "snowflakePrivateKey": KEY})
    found = problems(raw, stack="Prod_1", region=None)
    expected = [
        "c360:owner is required",
        "c360:snowflakeAccount is required",
        "contradict each other",
        "c360:snowflakePrivateKey must be stored as a secret",
        "stack name 'Prod_1'",
        "aws:region is required",
    ]
    for message in expected:
        assert any(message in p for p in found), (message, found)
    assert not any(KEY in p for p in found)


def test_app_and_dbt_folders_must_hold_their_entry_files(
    raw: dict[str, str], app_dir: Path, dbt_dir: Path
) -> None:
    (app_dir / "streamlit_app.py").unlink()
    (dbt_dir / "dbt_project.yml").unlink()
    found = problems(raw)
    assert any("appDir" in p and "lacks streamlit_app.py" in p for p in found)
    assert any("dbtProjectDir" in p and "lacks dbt_project.yml" in p for p in found)


def test_a_non_pem_key_is_rejected(raw: dict[str, str]) -> None:
    raw["snowflakePrivateKey"] = "hunter2"
    found = problems(raw, secrets={"snowflakePrivateKey"})
    assert any("not a PEM private key" in p for p in found) and not any("hunter2" in p for p in found)


def test_load_config_reads_pulumi_config_and_secret_flags(mocks: RecordingMocks, raw: dict[str, str]) -> None:
    pulumi.runtime.set_mocks(mocks, project="c360", stack="dev", preview=False)
    config = {f"c360:{k}": v for k, v in raw.items()} | {
        "aws:region": "eu-west-1",
        "c360:snowflakePrivateKey": KEY,
    }
    pulumi.runtime.set_all_config(config, ["c360:snowflakePrivateKey"])
    cfg = load_config()
    assert (cfg.stack, cfg.aws_region, cfg.snowflake.private_key) == ("dev", "eu-west-1", KEY)

    pulumi.runtime.set_all_config(config, [])  # the same key stored in plain text
    with pytest.raises(ConfigError, match="must be stored as a secret"):
        load_config()
    pulumi.runtime.set_all_config({}, [])
    with pytest.raises(ConfigError, match="aws:region is required"):
        load_config()


def test_alert_recipients_and_share_consumers_are_lists_and_empty_by_default(raw: dict[str, str]) -> None:
    from c360.alerts.rules import Severity

    cfg = parse(raw)
    assert cfg.share_consumer_accounts == () and cfg.alerts.enabled is True
    assert cfg.alerts.recipients == {Severity.CRITICAL: (), Severity.WARNING: (), Severity.INFO: ()}
    raw.update(
        alertEmailCritical="oncall@example.com, lead@example.com,oncall@example.com",
        shareConsumerAccounts="PARTNERORG.ANALYTICS",
    )
    cfg = parse(raw)
    assert cfg.alerts.recipients[Severity.CRITICAL] == ("oncall@example.com", "lead@example.com")
    assert cfg.share_consumer_accounts == ("PARTNERORG.ANALYTICS",)


def test_a_default_folder_that_is_missing_is_named_by_its_key(raw: dict[str, str], tmp_path: Path) -> None:
    del raw["appDir"]
    root = tmp_path / "checkout"
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, project="c360", stack="dev", aws_region="us-east-1", today=TODAY, repo_root=root)
    assert caught.value.problems == [f"c360:appDir: folder {root / 'streamlit'} does not exist"]
