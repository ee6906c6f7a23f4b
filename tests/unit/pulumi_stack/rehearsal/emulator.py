"""The first deployment on the Snowflake emulator (fakesnow 0.11.18), in deploy order, where it can run.

1. Every Snowflake resource of the graph, in dependency order, as the DDL it stands for (rendered from its
   inputs; the SQL the stack authors itself — the pipe's COPY, task bodies, Execute statements — verbatim).
   fakesnow runs databases, schemas, file formats, stages and tables; it has no roles, grants, warehouses,
   resource monitors, integrations, pipes, streams, tasks, Streamlit or dbt project objects
   (NOT_EMULATED), so those statements are only parsed.
2. The lifecycle steps that can run offline — provision, customers, transactions — through the real
   `run_all(only=[step])` on the snowflake target: the Snowflake connector goes to fakesnow, boto3 to moto's
   S3. Every statement a step sends is recorded (what the LifecycleStep provider sends as DATA_ENGINEER).
   fakesnow cannot read S3, so a COPY from an external stage is carried out here: the staged files are read
   from moto, METADATA$FILENAME is what Snowflake documents (c360/landing/stage_metadata.py) and the COPY's
   own column expressions are evaluated on those rows.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import sqlglot
from sqlglot import exp

from tests.unit.pulumi_stack.rehearsal.graph import DeployGraph, Node

EMULATED: Final = frozenset(
    {"Database", "Schema", "FileFormatCsv", "StageInternal", "StageExternalS3", "Table"}
)
NOT_EMULATED: Final = frozenset(
    {
        "Warehouse",
        "ResourceMonitor",
        "StorageIntegrationAws",
        "AccountRole",
        "GrantAccountRole",
        "GrantPrivilegesToAccountRole",
        "GrantOwnership",
        "Pipe",
        "StreamOnTable",
        "Task",
        "Streamlit",
        "Execute",
        # issue 16: fakesnow has no policies, alerts, integrations or shares; the shared view reads the
        # profile, which dbt builds (not offline)
        "MaskingPolicy",
        "Alert",
        "EmailNotificationIntegration",
        "NotificationIntegration",
        "Share",
        "GrantPrivilegesToShare",
        "View",
    }
)
OFFLINE_STEPS: Final = ("provision", "customers", "transactions")


@dataclass(frozen=True)
class StackStatement:
    resource: str
    kind: str  # the resource type's short name
    sql: str  # the DDL the resource stands for (rendered from its inputs)
    authored: str | None  # the SQL inside it that the stack itself writes and sends verbatim


@dataclass
class EmulatorRun:
    stack: list[tuple[StackStatement, str]] = field(default_factory=list)  # (statement, "ran" | "parsed")
    steps: dict[str, list[str]] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)  # step -> "ran" | "skipped" | "failed: ..."
    bronze: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)  # table -> (source_file, rows)


def _q(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _fq(node: Node) -> str:
    i = node.inputs
    return f"{i['database']}.{i['schema']}.{i['name']}".upper()


def render(node: Node) -> StackStatement | None:
    """The DDL/DCL a Snowflake resource stands for, or None for non-Snowflake resources."""
    kind = node.typ.rsplit(":", 1)[-1]
    i = node.inputs
    sql: str | None = None
    authored: str | None = None
    if kind == "Database":
        sql = f"create database if not exists {i['name']} data_retention_time_in_days = {int(i.get('dataRetentionTimeInDays') or 1)}"
    elif kind == "Schema":
        sql = f"create schema if not exists {i['database']}.{i['name']}"
    elif kind == "Warehouse":
        sql = (
            f"create warehouse if not exists {i['name']} warehouse_size = {i.get('warehouseSize', 'XSMALL')} "
            f"auto_suspend = {int(i.get('autoSuspend') or 60)} auto_resume = true initially_suspended = true"
            + (f" resource_monitor = {i['resourceMonitor']}" if i.get("resourceMonitor") else "")
        )
    elif kind == "ResourceMonitor":
        triggers = " ".join(f"on {int(t)} percent do notify" for t in i.get("notifyTriggers") or [])
        sql = (
            f"create resource monitor {i['name']} with credit_quota = {int(i['creditQuota'])} triggers {triggers} "
            f"on {int(i['suspendTrigger'])} percent do suspend on {int(i['suspendImmediateTrigger'])} percent do suspend_immediate"
        )
    elif kind == "StorageIntegrationAws":
        locations = ", ".join(_q(x) for x in i["storageAllowedLocations"])
        sql = (
            f"create storage integration {i['name']} type = external_stage storage_provider = 'S3' enabled = true "
            f"storage_aws_role_arn = {_q(i['storageAwsRoleArn'])} storage_aws_external_id = {_q(i['storageAwsExternalId'])} "
            f"storage_allowed_locations = ({locations})"
        )
    elif kind == "AccountRole":
        sql = f"create role if not exists {i['name']}"
    elif kind == "GrantAccountRole":
        to = f"role {i['parentRoleName']}" if i.get("parentRoleName") else f'user "{i["userName"]}"'
        sql = f"grant role {i['roleName']} to {to}"
    elif kind == "GrantPrivilegesToAccountRole":
        privileges = ", ".join(str(p).lower() for p in i["privileges"])
        if i.get("onAccount"):
            on = "account"
        elif i.get("onAccountObject"):
            on = f"{i['onAccountObject']['objectType'].lower()} {i['onAccountObject']['objectName']}"
        elif i.get("onSchema"):
            on = f"schema {i['onSchema']['schemaName']}"
        else:
            target = i["onSchemaObject"]
            scope = next((s for s in ("all", "future") if target.get(s)), None)
            on = (
                f"{scope} {target[scope]['objectTypePlural'].lower()} in schema {target[scope]['inSchema']}"
                if scope
                else f"{target['objectType'].lower()} {target['objectName']}"
            )
        sql = f"grant {privileges} on {on} to role {i['accountRoleName']}"
    elif kind == "GrantOwnership":
        sql = (
            f"grant ownership on {i['on']['objectType'].lower()} {i['on']['objectName']} "
            f"to role {i['accountRoleName']} copy current grants"
        )
    elif kind == "FileFormatCsv":
        null_if = ", ".join(_q(x) for x in i.get("nullIfs") or [])
        sql = (
            f"create file format if not exists {_fq(node)} type = csv skip_header = {int(i.get('skipHeader') or 0)} "
            f"field_delimiter = {_q(i.get('fieldDelimiter', ','))} field_optionally_enclosed_by = {_q(i.get('fieldOptionallyEnclosedBy', 'NONE'))} "
            f"null_if = ({null_if}) empty_field_as_null = {str(i.get('emptyFieldAsNull', 'false')).lower()}"
        )
    elif kind == "StageExternalS3":
        sql = (
            f"create stage if not exists {_fq(node)} url = {_q(i['url'])} storage_integration = {i['storageIntegration']} "
            f"file_format = (format_name = {_q(i['fileFormat']['formatName'])})"
        )
    elif kind == "StageInternal":
        sql = f"create stage if not exists {_fq(node)}"
    elif kind == "Table":
        columns = ", ".join(
            f"{c['name']} {c['type']}"
            + (f" default {c['default']['expression']}" if c.get("default") else "")
            for c in i["columns"]
        )
        sql = f"create table if not exists {_fq(node)} ({columns})" + (
            " change_tracking = true" if i.get("changeTracking") else ""
        )
    elif kind == "Pipe":
        sql = (
            f"create pipe if not exists {_fq(node)} auto_ingest = true aws_sns_topic = {_q(i['awsSnsTopicArn'])} "
            f"as {i['copyStatement']}"
        )
        authored = str(i["copyStatement"])
    elif kind == "StreamOnTable":
        sql = f"create stream if not exists {_fq(node)} on table {i['table']} append_only = {i.get('appendOnly', 'false')}"
    elif kind == "Task":
        head = f"create task if not exists {_fq(node)} warehouse = {i['warehouse']}"
        if i.get("schedule"):
            head += f" schedule = '{int(i['schedule']['minutes'])} minute'"
        if i.get("afters"):
            head += " after " + ", ".join(str(a).replace('"', "") for a in i["afters"])
        if i.get("when"):
            head += f" when {i['when']}"
        sql = f"{head} as {i['sqlStatement']}"
        authored = str(i["sqlStatement"])
    elif kind == "Streamlit":
        sql = (
            f"create streamlit if not exists {_fq(node)} from '@{i['stage']}/{i.get('directoryLocation', '')}' "
            f"main_file = {_q(i['mainFile'])} query_warehouse = {i['queryWarehouse']}"
        )
    elif kind == "Execute":
        sql = authored = str(i["execute"])
    elif kind == "MaskingPolicy":
        arguments = ", ".join(f"{a['name']} {a['type']}" for a in i["arguments"])
        sql = f"create masking policy if not exists {_fq(node)} as ({arguments}) returns {i['returnDataType']} -> {i['body']}"
    elif kind == "Alert":
        sql = (
            f"create alert if not exists {_fq(node)} warehouse = {i['warehouse']} "
            f"schedule = '{int(i['alertSchedule']['interval'])} minute' if (exists ({i['condition']})) then {i['action']}"
        )
        authored = str(i["action"])  # the condition is analysed (and so parsed) by the rehearsal engine
    elif kind == "EmailNotificationIntegration":
        recipients = ", ".join(_q(x) for x in i.get("allowedRecipients") or [])
        sql = f"create notification integration if not exists {i['name']} type = email enabled = true" + (
            f" allowed_recipients = ({recipients})" if recipients else ""
        )
    elif kind == "NotificationIntegration":
        sql = (
            f"create notification integration if not exists {i['name']} enabled = true direction = outbound "
            f"type = queue notification_provider = aws_sns aws_sns_topic_arn = {_q(i['awsSnsTopicArn'])} "
            f"aws_sns_role_arn = {_q(i['awsSnsRoleArn'])}"
        )
    elif kind == "Share":
        sql = f"create share if not exists {i['name']}" + (
            f" accounts = {', '.join(i['accounts'])}" if i.get("accounts") else ""
        )
    elif kind == "GrantPrivilegesToShare":
        target = next(
            f"{k.removeprefix('on').lower()} {i[k]}"
            for k in ("onDatabase", "onSchema", "onView", "onTable")
            if i.get(k)
        )
        sql = f"grant {', '.join(i['privileges']).lower()} on {target} to share {i['toShare']}"
    elif kind == "View":
        sql = f"create {'secure ' if i.get('isSecure') == 'true' else ''}view if not exists {_fq(node)} as {i['statement']}"
        authored = str(i["statement"])
    if sql is None:
        return None
    return StackStatement(node.name, kind, " ".join(sql.split()), authored)


def stack_statements(graph: DeployGraph) -> list[StackStatement]:
    found: list[StackStatement] = []
    for node in graph.in_dependency_order():
        if node.typ.startswith("snowflake:index/"):
            statement = render(node)
            if statement is None:
                raise ValueError(f"no DDL rendering for {node.typ}")
            found.append(statement)
    return found


# ---- the lifecycle on the emulator ----------------------------------------------------------------------


@dataclass(frozen=True)
class StageDefinition:
    url: str
    skip_header: int
    enclosed_by: str | None


def stage_definitions(graph: DeployGraph) -> dict[str, StageDefinition]:
    formats = {_fq(n): n.inputs for n in graph.nodes if n.typ.endswith("FileFormatCsv")}
    found: dict[str, StageDefinition] = {}
    for node in graph.nodes:
        if node.typ.endswith("StageExternalS3"):
            fmt = formats.get(str(node.inputs["fileFormat"]["formatName"]).upper(), {})
            found[_fq(node)] = StageDefinition(
                str(node.inputs["url"]), int(fmt.get("skipHeader") or 0), fmt.get("fieldOptionallyEnclosedBy")
            )
    return found


def emulate_copy(
    cursor_execute: Any, session: Any, sql: str, stages: Mapping[str, StageDefinition], s3: Any
) -> Any:
    """COPY INTO <table> FROM (SELECT ... FROM @external_stage): the staged objects read from (moto) S3,
    METADATA$FILENAME / METADATA$FILE_ROW_NUMBER as Snowflake documents them, the COPY's own expressions."""
    from c360.landing.stage_metadata import metadata_filename

    tree = sqlglot.parse_one(sql, read="snowflake")
    assert isinstance(tree, exp.Copy) and isinstance(tree.this, exp.Schema)
    target = tree.this.this.sql(dialect="snowflake")
    columns = [c.name for c in tree.this.expressions]
    select = tree.args["files"][0].this
    stage_name = re.search(r"from\s+@([\w.$]+)", sql, flags=re.I).group(1).upper()  # type: ignore[union-attr]
    stage = stages[stage_name]
    bucket, _, prefix = stage.url.removeprefix("s3://").partition("/")
    files_clause = re.search(r"files\s*=\s*\(([^)]*)\)", sql, flags=re.I)
    if files_clause:
        relatives = [f.strip().strip("'") for f in files_clause.group(1).split(",")]
    else:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        relatives = [o["Key"].removeprefix(prefix) for o in listed]
    rows: list[list[object]] = []
    width = 0
    for relative in relatives:
        body = s3.get_object(Bucket=bucket, Key=prefix + relative)["Body"].read().decode("utf-8-sig")
        reader = csv.reader(io.StringIO(body), quotechar=stage.enclosed_by or '"')
        records = list(reader)[stage.skip_header :]
        filename = metadata_filename(stage.url, relative)
        for number, record in enumerate(records, start=1):
            width = max(width, len(record))
            rows.append([*(v if v != "" else None for v in record), filename, number])
    rows = [r[:-2] + [None] * (width + 2 - len(r)) + r[-2:] for r in rows]
    names = [f"c{k}" for k in range(1, width + 1)] + ["metadata_filename", "metadata_file_row_number"]
    expressions = []
    for expression in select.expressions:
        text = expression.sql(dialect="snowflake")
        text = re.sub(r"\$(\d+)", r"c\1", text)
        text = re.sub(r"metadata\$filename", "metadata_filename", text, flags=re.I)
        text = re.sub(r"metadata\$file_row_number", "metadata_file_row_number", text, flags=re.I)
        expressions.append(text)
    # the staged rows inline (VALUES): the COPY runs inside the step's transaction, where the emulator
    # cannot create a helper table
    values = ", ".join("(" + ", ".join("?" for _ in names) + ")" for _ in rows)
    params = [value for row in rows for value in row]
    insert = (
        f"insert into {target} ({', '.join(columns)}) select {', '.join(expressions)} "
        f"from (values {values}) as staged ({', '.join(names)})"
    )
    cursor = cursor_execute(session, insert, params)
    return cursor


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_on_emulator(
    graph: DeployGraph,
    workdir: Path,
    *,
    steps: Sequence[str] = OFFLINE_STEPS,
    customers: int = 40,
    months: int = 3,
    seed: int = 7,
    as_of: str = "2026-10-15",
) -> EmulatorRun:
    import boto3
    import fakesnow
    import snowflake.connector
    from moto import mock_aws

    from c360.config import Settings
    from c360.engines.snowflake import SnowflakeSession
    from c360.errors import C360Error
    from c360.steps.pipeline import run_all

    run = EmulatorRun()
    statements = stack_statements(graph)
    lifecycle = next(n for n in graph.nodes if n.typ.endswith("LifecycleStep"))
    bucket = str(lifecycle.inputs["bucket"])
    stages = stage_definitions(graph)
    (workdir / "fakesnow").mkdir(parents=True, exist_ok=True)
    env = {
        "C360_HOME": str(workdir / "home"),
        "SNOWFLAKE_ACCOUNT": "myorg-c360_dev",
        "SNOWFLAKE_USER": "C360_DEPLOY",
        "SNOWFLAKE_PASSWORD": "emulator",
        "SNOWFLAKE_ROLE": "DATA_ENGINEER",
        "C360_BUCKET": bucket,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }
    original = SnowflakeSession._cursor_execute
    current: list[str] = []

    def recording(self: SnowflakeSession, sql: str, params: Sequence[object]) -> Any:
        current.append(sql)
        if re.match(r"\s*copy\s+into\s", sql, flags=re.I) and re.search(r"from\s+@", sql, flags=re.I):
            return emulate_copy(original, self, sql, stages, s3)
        return original(self, sql, params)

    with _environment(env), mock_aws(), fakesnow.patch(db_path=str(workdir / "fakesnow")):
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=bucket)
        con = snowflake.connector.connect(account="x", user="u", password="p")
        for statement in statements:
            if statement.kind in EMULATED:
                con.cursor().execute(statement.sql)
                run.stack.append((statement, "ran"))
            else:
                run.stack.append((statement, "parsed"))
        SnowflakeSession._cursor_execute = recording  # type: ignore[method-assign]
        try:
            for step in steps:
                current = run.steps.setdefault(step, [])
                settings = Settings.load(
                    target="snowflake", customers=customers, months=months, seed=seed, as_of=as_of
                )
                try:
                    report = run_all(settings, only=[step])
                    run.outcomes[step] = report.results[0].status
                except C360Error as exc:  # recorded; the next steps still run, to record what they send
                    run.outcomes[step] = f"failed: {exc}"
        finally:
            SnowflakeSession._cursor_execute = original  # type: ignore[method-assign]
        cur = con.cursor()
        for table in ("BRONZE_CUSTOMERS", "BRONZE_TRANSACTIONS"):
            cur.execute(
                f"select source_file, count(*) from CUSTOMER_ANALYTICS.BRONZE.{table} group by source_file order by 1"
            )
            run.bronze[table] = [tuple(r) for r in cur.fetchall()]
        con.close()
    return run
