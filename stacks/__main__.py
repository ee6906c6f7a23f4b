"""The c360 stack: AWS (S3, IAM, SNS, SQS) + Snowflake + the data lifecycle, composed from components/.

Deploy order (Pulumi derives it from these references; the cycle notes are in components/snowflake_access.py):
  config (validated) -> caller identity -> storage integration (computed role ARN, our external id)
  -> IAM role trusting the integration's IAM user -> bucket, topic (Snowflake may subscribe), queue
  -> database, schemas, warehouse (the admin role attaches the resource monitor), roles, grants (each
  naming its role resource) -> file format, stages (their grants right after each), tables (after
  BRONZE's future grants), pipe, stream, dbt project upload (after the lifecycle role's grants), dbt
  project, task DAG -> app -> lifecycle steps (provision ... semantic_model), in order; the masking policies
  come before the bronze tables (components/governance.py), the alerts after the provision step
  (components/alerting.py), the shared secure view after the dbt build (components/sharing.py).
This module is the only place that calls pulumi.export; the keys are exactly c360.outputs.OUTPUT_KEYS,
the same keys `c360 up` writes to $C360_HOME/outputs.json.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_snowflake as snowflake

from c360 import names
from c360.outputs import OUTPUT_KEYS
from components.alerting import Alerting, AlertingArgs
from components.app import App, AppArgs
from components.data_lake import DataLake, DataLakeArgs
from components.governance import Governance, GovernanceArgs, bronze_masked_columns
from components.ingestion import Ingestion, IngestionArgs
from components.lifecycle import Lifecycle, LifecycleArgs
from components.sharing import Sharing, SharingArgs
from components.snowflake_access import SnowflakeAccess, SnowflakeAccessArgs
from components.snowflake_context import LIFECYCLE_ROLE, SnowflakeDeployRoles, SnowflakeProviders
from components.warehouse import Warehouse, WarehouseArgs
from stacks.config import StackConfig, load_config

# Preview resources this stack uses; the provider refuses them unless listed (docs/deploy.md).
PREVIEW_FEATURES = [
    "snowflake_table_resource",
    "snowflake_pipe_resource",
    "snowflake_alert_resource",
    "snowflake_email_notification_integration_resource",
    "snowflake_notification_integration_resource",
    "snowflake_share_resource",
]


def snowflake_provider(cfg: StackConfig, label: str, role: str) -> snowflake.Provider:
    sf = cfg.snowflake
    return snowflake.Provider(
        f"snowflake-{label}",
        organization_name=sf.organization,
        account_name=sf.account,
        user=sf.user,
        role=role,
        authenticator="SNOWFLAKE_JWT" if sf.private_key else None,
        private_key=pulumi.Output.secret(sf.private_key) if sf.private_key else None,
        private_key_passphrase=pulumi.Output.secret(sf.private_key_passphrase)
        if sf.private_key_passphrase
        else None,
        preview_features_enabled=PREVIEW_FEATURES,
    )


cfg = load_config()  # every config problem is reported here, before any resource is declared
tags = cfg.tags
account_id = aws.get_caller_identity_output().account_id
partition = aws.get_partition_output().partition
bucket_name: pulumi.Input[str] = cfg.bucket_name or account_id.apply(
    lambda a: f"{cfg.resource_prefix}-landing-{a}"
)
roles = SnowflakeDeployRoles(
    admin=cfg.snowflake.admin_role, security=cfg.snowflake.security_role, objects=cfg.snowflake.objects_role
)
providers = SnowflakeProviders(
    admin=snowflake_provider(cfg, "admin", roles.admin),
    security=snowflake_provider(cfg, "security", roles.security),
    objects=snowflake_provider(cfg, "objects", roles.objects),
)

access = SnowflakeAccess(
    "access",
    SnowflakeAccessArgs(
        bucket_name=bucket_name,
        aws_account_id=account_id,
        partition=partition,
        role_name=cfg.storage_role_name,
        external_id=cfg.storage_external_id,
        tags=tags,
        deploy_roles=roles,
        providers=providers,
    ),
)
lake = DataLake(
    "lake",
    DataLakeArgs(
        bucket_name=bucket_name,
        resource_prefix=cfg.resource_prefix,
        aws_account_id=account_id,
        snowpipe_subscriber_arn=access.snowflake_user_arn,
        tags=tags,
        sse_algorithm=cfg.sse_algorithm,
        historical_archive_days=cfg.historical_archive_days,
        force_destroy=cfg.force_destroy,
        protect=cfg.protect,
    ),
)
warehouse = Warehouse(
    "warehouse",
    WarehouseArgs(
        warehouse_size=cfg.warehouse.size,
        auto_suspend_seconds=cfg.warehouse.auto_suspend_seconds,
        statement_timeout_seconds=cfg.warehouse.statement_timeout_seconds,
        data_retention_days=cfg.warehouse.data_retention_days,
        monthly_credit_quota=cfg.warehouse.monthly_credit_quota,
        lifecycle_user=cfg.snowflake.lifecycle_user,
        deploy_roles=roles,
        providers=providers,
        protect=cfg.protect,
    ),
)
# the lifecycle role's grants (and its grant to the lifecycle user): the stack's uploads run as that role
lifecycle_access = tuple(warehouse.access_grants(LIFECYCLE_ROLE))
# masking policies (c360/masking.py) before the tables whose personal columns they protect
governance = Governance(
    "governance",
    GovernanceArgs(
        database=warehouse.database_name,
        schemas=warehouse.schema_names,
        role_names=warehouse.role_names,
        deploy_roles=roles,
        providers=providers,
    ),
)
storage_ready = [
    access.role,
    access.access,
    *([access.integration_usage] if access.integration_usage else []),
]
ingestion = Ingestion(
    "ingestion",
    IngestionArgs(
        database=warehouse.database_name,
        schemas=warehouse.schema_names,
        warehouse=warehouse.warehouse_name,
        bucket_name=lake.bucket_name,
        storage_integration=access.integration_name,
        notification_topic_arn=lake.topic_arn,
        dbt_project_dir=cfg.dbt_project_dir,
        as_of=cfg.scale.as_of.isoformat(),
        task_schedule_minutes=cfg.task_schedule_minutes,
        tasks_started=cfg.tasks_started,
        after=(*storage_ready, lake.topic_policy),
        role_names=warehouse.role_names,
        tables_after=(*warehouse.future_grants(names.BRONZE), *governance.policies.values()),
        masked_columns=bronze_masked_columns(),
        uploader_ready=lifecycle_access,
        deploy_roles=roles,
        providers=providers,
    ),
)
app = App(
    "app",
    AppArgs(
        database=warehouse.database_name,
        schemas=warehouse.schema_names,
        warehouse=warehouse.warehouse_name,
        app_dir=cfg.app_dir,
        snowflake_organization=cfg.snowflake.organization,
        snowflake_account=cfg.snowflake.account,
        role_names=warehouse.role_names,
        uploader_ready=lifecycle_access,
        deploy_roles=roles,
        providers=providers,
    ),
)
lifecycle: Lifecycle | None = None
if cfg.lifecycle:
    lifecycle = Lifecycle(
        "lifecycle",
        LifecycleArgs(
            customers=cfg.scale.customers,
            months=cfg.scale.months,
            seed=cfg.scale.seed,
            as_of=cfg.scale.as_of.isoformat(),
            bucket_name=lake.bucket_name,
            region=cfg.aws_region,
            after=(warehouse, ingestion, app, lake, governance),
        ),
    )
# alerts read the observability tables the provision step creates; the shared view reads the profile dbt
# builds (without the lifecycle, build them first with `c360 up --target snowflake`: docs/deploy.md)
alerting = Alerting(
    "alerting",
    AlertingArgs(
        database=warehouse.database_name,
        schemas=warehouse.schema_names,
        warehouse=warehouse.warehouse_name,
        resource_prefix=cfg.resource_prefix,
        aws_account_id=account_id,
        partition=partition,
        recipients=cfg.alerts.recipients,
        enabled=cfg.alerts.enabled,
        tags=tags,
        after=[lifecycle.steps["provision"]] if lifecycle else [],
        deploy_roles=roles,
        providers=providers,
    ),
)
sharing = Sharing(
    "sharing",
    SharingArgs(
        database=warehouse.database_name,
        schemas=warehouse.schema_names,
        consumer_accounts=cfg.share_consumer_accounts,
        after=[lifecycle.steps["dbt_build"]] if lifecycle else [],
        providers=providers,
    ),
)

outputs: dict[str, object] = {
    "target": "snowflake",
    "database": warehouse.database_name,
    "schemas": {schema.lower(): name for schema, name in warehouse.schema_names.items()},
    "warehouse": warehouse.warehouse_name,
    "bucket": lake.bucket_name,
    "storage_role_arn": access.role_arn,
    "stages": ingestion.stage_names,
    "pipe_notification_channel": ingestion.pipe_notification_channel,
    "app_name": app.app_name,
    "app_url": app.app_url,
    "semantic_model_location": app.semantic_model_location,
    "scale": cfg.scale.as_dict(),
}
if tuple(outputs) != OUTPUT_KEYS:
    raise RuntimeError(
        f"stack outputs {sorted(outputs)} drifted from c360.outputs.OUTPUT_KEYS {sorted(OUTPUT_KEYS)}"
    )
for key in OUTPUT_KEYS:
    pulumi.export(key, outputs[key])
pulumi.log.info(
    f"c360 stack {cfg.stack}: database {names.DATABASE}, lifecycle {'on' if cfg.lifecycle else 'off'}"
)
