"""Ingestion under mocks: tables from the DDL, stages, the auto-ingest pipe and its COPY, the stream,
the task DAG and its SQL, the dbt project deployment and the object grants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from c360 import names
from c360.ddl_tables import ddl_tables
from c360.grants import GRANT_MATRIX, Access
from components.ingestion import PIPE_SQL, TASK_DAG, TASK_SQL, Ingestion, IngestionArgs, stack_sql
from components.snowflake_context import fqn
from tests.unit.pulumi_stack.conftest import (
    RecordingMocks,
    assert_parented,
    declare,
    declare_graph,
    make_dbt_dir,
    snapshot,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:c360-test-landing-events"
BUCKET = "c360-test-landing-123456789012"
TASK = "snowflake:index/task:Task"


def build(dbt_dir: Path, **changes: object) -> Ingestion:
    args = {
        "database": names.DATABASE,
        "schemas": {s: s for s in names.SCHEMAS},
        "warehouse": names.WAREHOUSE,
        "bucket_name": BUCKET,
        "storage_integration": names.STORAGE_INTEGRATION,
        "notification_topic_arn": TOPIC,
        "dbt_project_dir": dbt_dir,
        "as_of": "2026-10-15",
        **changes,
    }
    return Ingestion("ingestion", IngestionArgs(**args))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def module_dbt_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_dbt_dir(tmp_path_factory.mktemp("ingestion"))


@pytest.fixture(scope="module")
def ingestion(module_dbt_dir: Path) -> RecordingMocks:
    return snapshot(lambda: build(module_dbt_dir).pipe_notification_channel)


def test_bronze_tables_are_declared_from_the_ddl(ingestion: RecordingMocks) -> None:
    tables = {t.inputs["name"]: t.inputs for t in ingestion.of_type("snowflake:index/table:Table")}
    ddl = ddl_tables("ddl/bronze")
    assert set(tables) == set(ddl) == {names.BRONZE_CUSTOMERS, names.BRONZE_TRANSACTIONS}
    for name, definition in ddl.items():
        columns = tables[name]["columns"]
        assert [c["name"] for c in columns] == [c.upper() for c in definition.column_names]
        assert [c["type"] for c in columns] == [c.snowflake_type for c in definition.columns]
    transactions = {c["name"]: c for c in tables[names.BRONZE_TRANSACTIONS]["columns"]}
    assert transactions["TRANSACTION_AMOUNT"]["type"] == "NUMBER(12,2)"
    assert transactions["TRANSACTION_DATE"]["type"] == "TIMESTAMP_NTZ"
    assert transactions["INGESTION_TIMESTAMP"]["default"] == {"expression": "CURRENT_TIMESTAMP()"}
    assert tables[names.BRONZE_TRANSACTIONS]["changeTracking"] is True
    assert tables[names.BRONZE_CUSTOMERS]["changeTracking"] is False


def test_stages_point_at_the_landing_prefixes_through_the_integration(ingestion: RecordingMocks) -> None:
    stages = {
        s.inputs["name"]: s.inputs
        for s in ingestion.of_type("snowflake:index/stageExternalS3:StageExternalS3")
    }
    assert {n: s["url"] for n, s in stages.items()} == {
        names.CUSTOMER_STAGE: f"s3://{BUCKET}/{names.CUSTOMERS_PREFIX}",
        names.HISTORICAL_STAGE: f"s3://{BUCKET}/{names.HISTORICAL_PREFIX}",
        names.STREAMING_STAGE: f"s3://{BUCKET}/{names.STREAMING_PREFIX}",
    }
    for stage in stages.values():
        assert stage["storageIntegration"] == names.STORAGE_INTEGRATION
        assert stage["fileFormat"] == {"formatName": fqn(names.DATABASE, names.BRONZE, names.CSV_FILE_FORMAT)}
        assert "credentials" not in stage
    csv = ingestion.one("snowflake:index/fileFormatCsv:FileFormatCsv").inputs
    assert (csv["name"], csv["skipHeader"], csv["errorOnColumnCountMismatch"]) == (
        names.CSV_FILE_FORMAT,
        1,
        "true",
    )


def test_pipe_auto_ingests_from_the_topic_and_sets_bad_rows_aside(ingestion: RecordingMocks) -> None:
    pipe = ingestion.one("snowflake:index/pipe:Pipe").inputs
    assert pipe["name"] == names.TRANSACTIONS_PIPE and pipe["schema"] == names.BRONZE
    assert pipe["autoIngest"] is True
    assert pipe["awsSnsTopicArn"] == TOPIC
    copy = pipe["copyStatement"]
    assert copy == stack_sql(PIPE_SQL) and "--" not in copy and not copy.endswith(";")
    assert re.search(r"on_error\s*=\s*continue", copy, re.IGNORECASE)
    parsed = sqlglot.parse_one(copy, read="snowflake")
    assert isinstance(parsed, exp.Copy)
    target = parsed.this
    assert target.this.sql(dialect="snowflake") == fqn(
        names.DATABASE, names.BRONZE, names.BRONZE_TRANSACTIONS
    )
    columns = [c.name for c in target.expressions]
    assert columns == list(ddl_tables("ddl/bronze")[names.BRONZE_TRANSACTIONS].column_names)
    assert columns[:8] == [
        "transaction_id", "customer_id", "transaction_date", "transaction_amount",
        "merchant_name", "merchant_category", "channel", "status",
    ]  # fmt: skip
    select = parsed.find(exp.Select)
    projections = [p.sql(dialect="snowflake").lower() for p in select.expressions]
    assert (
        "metadata$filename" in projections[columns.index("source_file")]
    )  # tests/unit/test_stage_metadata.py
    assert projections[columns.index("source_row_number")] == "metadata$file_row_number"
    assert f"@{fqn(names.DATABASE, names.BRONZE, names.STREAMING_STAGE)}" in copy
    assert f"'{fqn(names.DATABASE, names.BRONZE, names.CSV_FILE_FORMAT)}'" in copy


def test_stream_on_bronze_transactions(ingestion: RecordingMocks) -> None:
    stream = ingestion.one("snowflake:index/streamOnTable:StreamOnTable").inputs
    assert stream["name"] == names.TRANSACTIONS_STREAM
    assert stream["table"] == fqn(names.DATABASE, names.BRONZE, names.BRONZE_TRANSACTIONS)
    assert stream["appendOnly"] == "true"


def test_task_dag_runs_in_order_from_a_scheduled_stream_triggered_root(ingestion: RecordingMocks) -> None:
    tasks = {t.inputs["name"]: t for t in ingestion.of_type(TASK)}
    assert set(tasks) == set(TASK_DAG)
    (root,) = [n for n, parents in TASK_DAG.items() if not parents]
    assert root == names.TRANSACTIONS_CAPTURE_TASK
    root_inputs = tasks[root].inputs
    assert root_inputs["schedule"] == {"minutes": 5}
    stream = fqn(names.DATABASE, names.BRONZE, names.TRANSACTIONS_STREAM)
    assert root_inputs["when"] == f"SYSTEM$STREAM_HAS_DATA('{stream}')"
    assert "afters" not in root_inputs
    for name, parents in TASK_DAG.items():
        inputs = tasks[name].inputs
        assert inputs["warehouse"] == names.WAREHOUSE and inputs["started"] is True
        assert inputs["sqlStatement"] == " ".join(inputs["sqlStatement"].split())
        if parents:
            assert "schedule" not in inputs and "when" not in inputs
            assert sorted(inputs["afters"]) == sorted(
                f'"{p}"' for p in parents
            )  # the parents' fully qualified names
    # a child is registered only after its parents exist (afters reference their outputs)
    order = [r.inputs["name"] for r in ingestion.of_type(TASK)]
    for name, parents in TASK_DAG.items():
        assert all(order.index(p) < order.index(name) for p in parents)
    assert order[-2:] == [names.TRANSACTIONS_REFRESH_TASK, names.TRANSACTIONS_STAMP_TASK]
    assert TASK_DAG[names.TRANSACTIONS_STAMP_TASK] == (
        names.TRANSACTIONS_REFRESH_TASK,
    )  # only after a refresh
    assert set(TASK_DAG[names.TRANSACTIONS_REFRESH_TASK]) == {
        names.TRANSACTIONS_LOADS_TASK,
        names.TRANSACTIONS_QUARANTINE_TASK,
    }


def test_task_sql_consumes_the_stream_records_loads_and_refreshes_with_dbt(ingestion: RecordingMocks) -> None:
    sql = {t.inputs["name"]: t.inputs["sqlStatement"] for t in ingestion.of_type(TASK)}
    capture = sqlglot.parse_one(sql[names.TRANSACTIONS_CAPTURE_TASK], read="snowflake")
    assert isinstance(capture, exp.Insert)
    assert fqn(names.DATABASE, names.BRONZE, names.TRANSACTIONS_STREAM) in {
        t.sql(dialect="snowflake") for t in capture.find_all(exp.Table)
    }
    loads = sqlglot.parse_one(sql[names.TRANSACTIONS_LOADS_TASK], read="snowflake")
    assert (
        loads.this.this.sql(dialect="snowflake")
        == f"{names.DATABASE}.{names.OBSERVABILITY}.{names.LOAD_HISTORY}"
    )
    assert (
        "copy_history" in sql[names.TRANSACTIONS_LOADS_TASK]
        and names.TRANSACTIONS_PIPE in sql[names.TRANSACTIONS_LOADS_TASK]
    )
    quarantine = sqlglot.parse_one(sql[names.TRANSACTIONS_QUARANTINE_TASK], read="snowflake")
    assert (
        quarantine.this.this.sql(dialect="snowflake")
        == f"{names.DATABASE}.{names.OBSERVABILITY}.{names.QUARANTINE}"
    )
    assert (
        f"'{fqn(names.DATABASE, names.BRONZE, names.TRANSACTIONS_PIPE)}'"
        in sql[names.TRANSACTIONS_QUARANTINE_TASK]
    )
    refresh = sql[names.TRANSACTIONS_REFRESH_TASK]
    assert refresh.startswith(f"execute dbt project {fqn(names.DATABASE, names.BRONZE, names.DBT_PROJECT)}")
    assert "build --select stg_transactions+" in refresh and "{as_of: 2026-10-15}" in refresh


def test_dbt_project_is_uploaded_and_deployed(mocks: RecordingMocks, dbt_dir: Path) -> None:
    declare(lambda: build(dbt_dir).pipe_notification_channel)
    ingestion = mocks
    upload = ingestion.one("pulumi-python:dynamic/c360:StageFiles").inputs
    assert upload["stage"] == fqn(names.DATABASE, names.BRONZE, names.DBT_PROJECT_STAGE)
    assert upload["directory"] == names.DBT_PROJECT_STAGE_DIRECTORY
    assert set(upload["files"]) == {"dbt_project.yml", "models/staging/stg_transactions.sql"}  # no target/
    execute = ingestion.one("snowflake:index/execute:Execute").inputs
    assert execute["execute"].startswith(
        f"create or replace dbt project {fqn(names.DATABASE, names.BRONZE, names.DBT_PROJECT)}"
    )
    assert f"'@{upload['stage']}/{upload['directory']}'" in execute["execute"]
    assert (
        execute["revert"]
        == f"drop dbt project if exists {fqn(names.DATABASE, names.BRONZE, names.DBT_PROJECT)}"
    )
    first = execute["execute"]

    (dbt_dir / "models" / "staging" / "stg_transactions.sql").write_text("select 2 as transaction_id\n")
    ingestion.resources.clear()
    declare(lambda: build(dbt_dir).pipe_notification_channel)
    assert (
        ingestion.one("snowflake:index/execute:Execute").inputs["execute"] != first
    )  # new content -> replaced


def test_object_grants_go_to_bronze_writers_only(ingestion: RecordingMocks) -> None:
    grants = ingestion.of_type("snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole")
    writers = {g.role.value for g in GRANT_MATRIX if g.schema == names.BRONZE and g.access is Access.WRITE}
    object_grants = [g for g in grants if "onSchemaObject" in g.inputs]
    assert {g.inputs["accountRoleName"] for g in object_grants} == writers
    granted = {
        (g.inputs["onSchemaObject"]["objectType"], g.inputs["onSchemaObject"]["objectName"].split(".")[-1])
        for g in object_grants
    }
    assert ("PIPE", names.TRANSACTIONS_PIPE) in granted and ("STAGE", names.STREAMING_STAGE) in granted
    assert {("TASK", t) for t in TASK_DAG} <= granted
    (execute_task,) = [g for g in grants if g.inputs.get("onAccount")]
    assert (
        execute_task.inputs["privileges"] == ["EXECUTE TASK"]
        and execute_task.inputs["accountRoleName"] == "SYSADMIN"
    )


def test_children_are_parented(mocks: RecordingMocks, dbt_dir: Path) -> None:
    declare(lambda: assert_parented(build(dbt_dir), "c360:ingestion:Ingestion"))


def test_sql_files_name_only_contract_objects() -> None:
    """The stack's SQL files hard-code fully qualified names; each must exist in c360.names."""
    known = {
        names.DATABASE,
        *names.SCHEMAS,
        *(v for k, v in vars(names).items() if k.isupper() and isinstance(v, str)),
    }
    deploy = (
        "deploy/dbt_project",
        "deploy/dbt_project_drop",
        "deploy/warehouse_monitor",
        "deploy/warehouse_monitor_detach",
    )
    for sql_name in (PIPE_SQL, *TASK_SQL.values(), *deploy):
        text = stack_sql(sql_name, as_of="2026-10-15", content_hash="0" * 64, dbt_version="1.10.15")
        for qualified in re.findall(r"\bCUSTOMER_ANALYTICS\.[A-Z_]+\.[A-Z_]+\b", text):
            database, schema, obj = qualified.split(".")
            assert database == names.DATABASE and schema in names.SCHEMAS, qualified
            assert obj in known, f"{sql_name}: {qualified} is not a name from c360.names"


def test_stack_sql_refuses_unvalidated_values() -> None:
    with pytest.raises(ValueError, match="refusing"):
        stack_sql(TASK_SQL[names.TRANSACTIONS_REFRESH_TASK], as_of="2026-10-15'; drop table x; --")
    with pytest.raises(ValueError, match="needs a value"):
        stack_sql(TASK_SQL[names.TRANSACTIONS_REFRESH_TASK])


def test_args_are_validated(dbt_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"dbt_project\.yml"):
        build(tmp_path)
    with pytest.raises(ValueError, match="task_schedule_minutes"):
        build(dbt_dir, task_schedule_minutes=0)


def test_the_dbt_project_runs_on_the_dbt_core_version_ci_tests(mocks: RecordingMocks, dbt_dir: Path) -> None:
    """Defect 4: CREATE DBT PROJECT pins DBT_VERSION to the exact dbt-core pin in pyproject.toml (one
    source), which is the dbt Core CI builds and tests the project with, which Snowflake runs
    (SYSTEM$SUPPORTED_DBT_VERSIONS: 1.9.4, 1.10.15) and which dbt_project.yml accepts."""
    import importlib.metadata

    import yaml
    from packaging.specifiers import SpecifierSet

    from c360.paths import REPO_ROOT
    from components.ingestion import dbt_core_version

    version = dbt_core_version()
    assert importlib.metadata.version("dbt-core") == version  # the dbt Core this test run (CI) uses
    assert version in {"1.9.4", "1.10.15"}  # docs.snowflake.com .../system_supported_dbt_versions
    required = yaml.safe_load((REPO_ROOT / "dbt" / "dbt_project.yml").read_text())["require-dbt-version"]
    assert version in SpecifierSet(",".join(required if isinstance(required, list) else [required]))
    declare(lambda: build(dbt_dir).pipe_notification_channel)
    execute = mocks.one("snowflake:index/execute:Execute").inputs["execute"]
    assert f"dbt_version = '{version}'" in execute


def test_dbt_core_version_needs_an_exact_pin(tmp_path: Path) -> None:
    from components.ingestion import dbt_core_version

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["dbt-core>=1.10"]\n')
    with pytest.raises(ValueError, match="pin dbt-core exactly"):
        dbt_core_version(pyproject)
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["dbt-core == 1.9.4"]\n')
    assert dbt_core_version(pyproject) == "1.9.4"


def test_the_upload_keeps_no_checkout_path_in_state(mocks: RecordingMocks) -> None:
    """Defect 8: StageFiles inputs (hence the Pulumi state) hold the project folder relative to the
    checkout, not this machine's absolute path."""
    from c360.paths import REPO_ROOT

    declare(lambda: build(REPO_ROOT / "dbt").pipe_notification_channel)
    upload = mocks.one("pulumi-python:dynamic/c360:StageFiles").inputs
    assert upload["source_dir"] == "dbt"


def test_bronze_tables_come_after_the_future_grants_and_grants_after_their_object(dbt_dir: Path) -> None:
    """Defect 6: a table created before its schema's FUTURE grant, and after GRANT ... ON ALL, gets neither;
    the tables wait for the future grants. Each object grant waits for its own object, and for its role."""
    import pulumi_snowflake as snowflake

    made: dict[str, object] = {}

    def program() -> object:
        made["future"] = snowflake.GrantPrivilegesToAccountRole(
            "future-tables",
            account_role_name="DATA_ENGINEER",
            privileges=["INSERT"],
            on_schema_object={
                "future": {"object_type_plural": "TABLES", "in_schema": "CUSTOMER_ANALYTICS.BRONZE"}
            },
        )
        made["role"] = snowflake.AccountRole("de-role", name="DATA_ENGINEER")
        return build(
            dbt_dir,
            tables_after=(made["future"],),
            role_names={"DATA_ENGINEER": made["role"].name},  # type: ignore[attr-defined]
        ).pipe_notification_channel

    graph = declare_graph(program)
    future, role = graph.one("future-tables"), graph.one("de-role")
    for table in graph.of_type(":Table"):
        assert graph.happens_before(future.urn, table.urn), table.name
    object_grants = [g for g in graph.of_type("GrantPrivilegesToAccountRole") if "onSchemaObject" in g.inputs
                     and "objectName" in g.inputs["onSchemaObject"]]  # fmt: skip
    assert object_grants
    for grant in object_grants:
        target = grant.inputs["onSchemaObject"]["objectName"].split(".")[-1]
        objects = [
            n for n in graph.nodes if n.inputs.get("name") == target and n.typ.startswith("snowflake:")
        ]
        assert objects and graph.happens_before(objects[0].urn, grant.urn), grant.name
        assert graph.happens_before(role.urn, grant.urn), grant.name
    upload = graph.one("ingestion-dbt-files")
    assert not [g.name for g in object_grants if graph.happens_before(upload.urn, g.urn)
                and g.inputs["onSchemaObject"]["objectType"] == "STAGE"]  # fmt: skip
