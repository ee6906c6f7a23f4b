"""Ingestion: file format, external stages, bronze tables, the auto-ingest pipe, the stream on bronze
transactions and the task DAG that processes each increment.

Task DAG (all in BRONZE, SQL in sql/tasks/):

    C360_TXN_CAPTURE            root: every N minutes WHEN SYSTEM$STREAM_HAS_DATA(stream);
          │                     consumes the stream, counts the increment (LAYER_RECORD_COUNTS)
          ├── C360_TXN_RECORD_LOADS       COPY_HISTORY -> OBSERVABILITY.LOAD_HISTORY (one row per file)
          ├── C360_TXN_RECORD_QUARANTINE  VALIDATE_PIPE_LOAD -> OBSERVABILITY.QUARANTINE (rejected rows)
          └── C360_TXN_REFRESH            after both: EXECUTE DBT PROJECT build --select stg_transactions+
                └── C360_TXN_STAMP_GOLD   the files now in gold: LOAD_HISTORY.gold_refreshed_at (latency)

The refresh runs the project in dbt/ — the same models and selection `c360 stream` runs locally — which
the stack uploads to DBT_PROJECT_STAGE and deploys as the DBT PROJECT object C360_DBT.
Bronze tables are declared from the DDL the runtime runs (c360.ddl_tables parses sql/ddl/bronze.sql).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

import pulumi
import pulumi_snowflake as snowflake

from c360 import names
from c360.ddl_tables import TableDefinition, ddl_tables
from c360.grants import GRANT_MATRIX, SchemaGrant
from c360.landing.fileformat import LANDING_CSV
from components.content_hash import file_manifest, manifest_digest, stored_path
from components.grant_plan import Audience, SchemaObject
from components.providers.stage_files import StageFiles, StageFilesArgs
from components.snowflake_context import SnowflakeDeployRoles, SnowflakeProviders, child, fqn, stack_sql
from components.warehouse import object_grants

PIPE_SQL: Final = "snowpipe/bronze_transactions"
TASK_SQL: Final = {
    names.TRANSACTIONS_CAPTURE_TASK: "tasks/capture_transaction_increment",
    names.TRANSACTIONS_LOADS_TASK: "tasks/record_pipe_loads",
    names.TRANSACTIONS_QUARANTINE_TASK: "tasks/record_pipe_quarantine",
    names.TRANSACTIONS_REFRESH_TASK: "tasks/refresh_incremental",
    names.TRANSACTIONS_STAMP_TASK: "tasks/stamp_gold_refresh",
}
# child -> parents (the root has none); the order the DAG runs in
TASK_DAG: Final[dict[str, tuple[str, ...]]] = {
    names.TRANSACTIONS_CAPTURE_TASK: (),
    names.TRANSACTIONS_LOADS_TASK: (names.TRANSACTIONS_CAPTURE_TASK,),
    names.TRANSACTIONS_QUARANTINE_TASK: (names.TRANSACTIONS_CAPTURE_TASK,),
    names.TRANSACTIONS_REFRESH_TASK: (names.TRANSACTIONS_LOADS_TASK, names.TRANSACTIONS_QUARANTINE_TASK),
    names.TRANSACTIONS_STAMP_TASK: (names.TRANSACTIONS_REFRESH_TASK,),
}
EXTERNAL_STAGES: Final = {
    "customers": (names.CUSTOMER_STAGE, names.CUSTOMERS_PREFIX),
    "historical": (names.HISTORICAL_STAGE, names.HISTORICAL_PREFIX),
    "streaming": (names.STREAMING_STAGE, names.STREAMING_PREFIX),
}


def dbt_core_version(pyproject: Path | None = None) -> str:
    """The dbt Core version the project is deployed with (CREATE DBT PROJECT ... DBT_VERSION): the exact
    dbt-core pin in pyproject.toml, i.e. the version CI builds and tests the project with (one source).
    dbt Projects on Snowflake runs only the versions SYSTEM$SUPPORTED_DBT_VERSIONS() lists — 1.9.4 and
    1.10.15 (https://docs.snowflake.com/en/sql-reference/functions/system_supported_dbt_versions); DBT_VERSION
    pins the object to one of them (https://docs.snowflake.com/en/release-notes/2026/other/2026-03-02-dbt-core-versions)."""
    import tomllib

    from c360.paths import REPO_ROOT

    text = (pyproject or REPO_ROOT / "pyproject.toml").read_text()
    for requirement in tomllib.loads(text)["project"]["dependencies"]:
        found = re.fullmatch(r"dbt-core==(\d+\.\d+\.\d+)", requirement.replace(" ", ""))
        if found:
            return found.group(1)
    raise ValueError(
        "pyproject.toml must pin dbt-core exactly (dbt-core==X.Y.Z): it is the DBT_VERSION deployed"
    )


def table_columns(
    table: TableDefinition, policies: Mapping[str, str] | None = None
) -> list[snowflake.TableColumnArgsDict]:
    """snowflake.Table columns (upper-case: the provider quotes names) from the parsed DDL, with the masking
    policy of each personal column (`policies`: COLUMN -> policy FQN, components/governance.py)."""
    columns: list[snowflake.TableColumnArgsDict] = []
    for column in table.columns:
        spec: snowflake.TableColumnArgsDict = {
            "name": column.name.upper(),
            "type": column.snowflake_type,
            "nullable": True,
        }
        if column.default_expression:
            spec["default"] = {"expression": column.default_expression}
        if policies and column.name.upper() in policies:
            spec["masking_policy"] = policies[column.name.upper()]
        columns.append(spec)
    return columns


@dataclass(frozen=True)
class IngestionArgs:
    database: pulumi.Input[str]
    schemas: Mapping[str, pulumi.Input[str]]
    warehouse: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    storage_integration: pulumi.Input[str]
    notification_topic_arn: pulumi.Input[str]
    dbt_project_dir: Path
    as_of: str
    task_schedule_minutes: int = 5
    tasks_started: bool = True
    after: tuple[pulumi.Resource, ...] = ()  # IAM access + topic policy: before stages and the pipe
    # the role resources' names (Warehouse.role_names): every grant waits for its role
    role_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # BRONZE's FUTURE grants (Warehouse.future_grants): the bronze tables are created after them
    tables_after: tuple[pulumi.Resource, ...] = ()
    # the lifecycle role's access (Warehouse.access_grants): the dbt project upload runs as that role
    uploader_ready: tuple[pulumi.Resource, ...] = ()
    # personal columns of the bronze tables: {TABLE: {COLUMN: masking policy FQN}} (components/governance.py);
    # the policies must exist before the tables (pass them in tables_after)
    masked_columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    grant_matrix: tuple[SchemaGrant, ...] = GRANT_MATRIX
    deploy_roles: SnowflakeDeployRoles = field(default_factory=SnowflakeDeployRoles)
    providers: SnowflakeProviders = field(default_factory=SnowflakeProviders)

    def __post_init__(self) -> None:
        date.fromisoformat(self.as_of)
        if not 1 <= self.task_schedule_minutes <= 11520:
            raise ValueError("task_schedule_minutes must be 1..11520 (Snowflake's limit is 8 days)")
        if not (self.dbt_project_dir / "dbt_project.yml").is_file():
            raise ValueError(
                f"{self.dbt_project_dir} has no dbt_project.yml: the refresh task needs the dbt project"
            )


class Ingestion(pulumi.ComponentResource):
    stage_names: dict[str, str]
    pipe_notification_channel: pulumi.Output[str]
    task_names: tuple[str, ...]

    def __init__(self, name: str, args: IngestionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("c360:ingestion:Ingestion", name, {}, opts)
        objects, security = args.providers.objects, args.providers.security
        bronze = args.schemas[names.BRONZE]
        after = list(args.after)

        self.csv_format = snowflake.FileFormatCsv(
            f"{name}-csv-format",
            name=names.CSV_FILE_FORMAT,
            database=args.database,
            schema=bronze,
            **LANDING_CSV.snowflake_args(),  # one definition: the local pipe reads files the same way
            comment="Landing CSV: header row, quoted fields (may span lines), empty = NULL, column count enforced",
            opts=child(self, objects),
        )
        self.stages = {
            key: snowflake.StageExternalS3(
                f"{name}-stage-{key}",
                name=stage,
                database=args.database,
                schema=bronze,
                url=pulumi.Output.concat("s3://", args.bucket_name, "/", prefix),
                storage_integration=args.storage_integration,
                file_format={"format_name": fqn(names.DATABASE, names.BRONZE, names.CSV_FILE_FORMAT)},
                comment=f"s3 landing prefix {prefix}",
                opts=child(self, objects, depends_on=[self.csv_format, *after]),
            )
            for key, (stage, prefix) in EXTERNAL_STAGES.items()
        }
        self.stage_names = {
            key: f"@{fqn(names.DATABASE, names.BRONZE, stage)}" for key, (stage, _) in EXTERNAL_STAGES.items()
        }

        self.tables = {
            table.name: snowflake.Table(
                f"{name}-table-{table.name.lower().replace('_', '-')}",
                name=table.name,
                database=args.database,
                schema=args.schemas[table.schema],
                columns=table_columns(table, args.masked_columns.get(table.name)),
                change_tracking=table.name == names.BRONZE_TRANSACTIONS,  # the stream needs it
                comment="c360 bronze: rows as delivered, plus load metadata (sql/ddl/bronze.sql)",
                opts=child(self, objects, depends_on=list(args.tables_after)),
            )
            for table in ddl_tables("ddl/bronze").values()
        }
        transactions = self.tables[names.BRONZE_TRANSACTIONS]

        self.pipe = snowflake.Pipe(
            f"{name}-pipe",
            name=names.TRANSACTIONS_PIPE,
            database=args.database,
            schema=bronze,
            auto_ingest=True,
            aws_sns_topic_arn=args.notification_topic_arn,
            copy_statement=stack_sql(PIPE_SQL),
            comment="Hourly streaming files: S3 -> SNS -> Snowpipe, ON_ERROR=CONTINUE",
            opts=child(
                self, objects, depends_on=[transactions, self.stages["streaming"], self.csv_format, *after]
            ),
        )
        self.stream = snowflake.StreamOnTable(
            f"{name}-stream",
            name=names.TRANSACTIONS_STREAM,
            database=args.database,
            schema=bronze,
            table=fqn(names.DATABASE, names.BRONZE, names.BRONZE_TRANSACTIONS),
            append_only="true",
            comment="New bronze transactions for the incremental task DAG",
            opts=child(self, objects, depends_on=[transactions]),
        )

        # ---- the dbt project, deployed so the refresh task runs the very same models --------------
        self.dbt_stage = snowflake.StageInternal(
            f"{name}-dbt-stage",
            name=names.DBT_PROJECT_STAGE,
            database=args.database,
            schema=bronze,
            comment="c360 dbt project files (uploaded by the stack)",
            opts=child(self, objects),
        )
        dbt_stage_object = SchemaObject(
            names.BRONZE, "STAGE", names.DBT_PROJECT_STAGE, Audience.WRITERS, internal_stage=True
        )
        self.dbt_stage_grants = object_grants(
            name, self, security, [(dbt_stage_object, self.dbt_stage)], args.role_names, args.grant_matrix
        )[dbt_stage_object.fully_qualified_name]
        manifest = file_manifest(args.dbt_project_dir)
        # the upload runs as the lifecycle role (StageFiles): after its grants, never before (a PUT the stage
        # does not allow fails, and the grant must not wait for the upload or no re-run could heal it)
        self.dbt_files = StageFiles(
            f"{name}-dbt-files",
            StageFilesArgs(
                stage=fqn(names.DATABASE, names.BRONZE, names.DBT_PROJECT_STAGE),
                directory=names.DBT_PROJECT_STAGE_DIRECTORY,
                source_dir=stored_path(args.dbt_project_dir),
                files=manifest,
            ),
            opts=child(self, depends_on=[self.dbt_stage, *self.dbt_stage_grants, *args.uploader_ready]),
        )
        self.dbt_project = snowflake.Execute(
            f"{name}-dbt-project",
            execute=stack_sql(
                "deploy/dbt_project", content_hash=manifest_digest(manifest), dbt_version=dbt_core_version()
            ),
            revert=stack_sql("deploy/dbt_project_drop"),
            opts=child(self, objects, depends_on=[self.dbt_files], delete_before_replace=True),
        )

        # ---- task DAG ---------------------------------------------------------------------------
        self.execute_task: snowflake.GrantPrivilegesToAccountRole | None = None
        task_after: list[pulumi.Resource] = [self.stream, self.dbt_project]
        if args.deploy_roles.objects != args.deploy_roles.admin:
            self.execute_task = snowflake.GrantPrivilegesToAccountRole(
                f"{name}-execute-task",
                account_role_name=args.deploy_roles.objects,
                privileges=["EXECUTE TASK"],
                on_account=True,
                opts=child(self, args.providers.admin),
            )
            task_after.append(self.execute_task)
        self.tasks: dict[str, snowflake.Task] = {}
        for task_name, parents in TASK_DAG.items():
            sql = (
                stack_sql(TASK_SQL[task_name], as_of=args.as_of)
                if task_name == names.TRANSACTIONS_REFRESH_TASK
                else stack_sql(TASK_SQL[task_name])
            )
            root = not parents
            self.tasks[task_name] = snowflake.Task(
                f"{name}-task-{task_name.lower().replace('_', '-')}",
                name=task_name,
                database=args.database,
                schema=bronze,
                warehouse=args.warehouse,
                sql_statement=sql,
                started=args.tasks_started,
                schedule={"minutes": args.task_schedule_minutes} if root else None,
                when=f"SYSTEM$STREAM_HAS_DATA('{fqn(names.DATABASE, names.BRONZE, names.TRANSACTIONS_STREAM)}')"
                if root
                else None,
                afters=[self.tasks[p].fully_qualified_name for p in parents] if parents else None,
                allow_overlapping_execution="false" if root else None,
                suspend_task_after_num_failures=10 if root else None,
                comment=f"c360 incremental DAG: sql/{TASK_SQL[task_name]}.snowflake.sql",
                opts=child(self, objects, depends_on=[*task_after, *(self.tasks[p] for p in parents)]),
            )
        self.task_names = tuple(TASK_DAG)

        # ---- grants on these objects, from the same matrix: each waits for its object only -----------
        granted: list[tuple[SchemaObject, pulumi.Resource]] = [
            (
                SchemaObject(names.BRONZE, "FILE FORMAT", names.CSV_FILE_FORMAT, Audience.WRITERS),
                self.csv_format,
            ),
            *(
                (SchemaObject(names.BRONZE, "STAGE", stage, Audience.WRITERS), self.stages[key])
                for key, (stage, _) in EXTERNAL_STAGES.items()
            ),
            (SchemaObject(names.BRONZE, "PIPE", names.TRANSACTIONS_PIPE, Audience.WRITERS), self.pipe),
            (SchemaObject(names.BRONZE, "STREAM", names.TRANSACTIONS_STREAM, Audience.WRITERS), self.stream),
            *(
                (SchemaObject(names.BRONZE, "TASK", task, Audience.WRITERS), self.tasks[task])
                for task in TASK_DAG
            ),
        ]
        self.grants = [
            *self.dbt_stage_grants,
            *(
                grant
                for grants in object_grants(
                    name, self, security, granted, args.role_names, args.grant_matrix
                ).values()
                for grant in grants
            ),
        ]

        self.pipe_notification_channel = self.pipe.notification_channel
        self.register_outputs(
            {
                "stages": self.stage_names,
                "pipe_notification_channel": self.pipe_notification_channel,
                "tasks": list(self.task_names),
            }
        )
