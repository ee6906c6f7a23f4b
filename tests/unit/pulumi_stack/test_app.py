"""App under mocks: the streamlit/ upload, the Streamlit object, the semantic stage and the grants."""

from __future__ import annotations

from pathlib import Path

import pytest

from c360 import names
from c360.grants import APP_ROLES, GRANT_MATRIX, Access, readable_schemas
from components.app import App, AppArgs, app_url, semantic_model_location
from components.snowflake_context import fqn
from tests.unit.pulumi_stack.conftest import RecordingMocks, assert_parented, declare, make_app_dir, snapshot

GRANT = "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole"


def build(app_dir: Path) -> App:
    return App(
        "app",
        AppArgs(
            database=names.DATABASE,
            schemas={s: s for s in names.SCHEMAS},
            warehouse=names.WAREHOUSE,
            app_dir=app_dir,
            snowflake_organization="MYORG",
            snowflake_account="C360_DEV",
        ),
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> RecordingMocks:
    folder = make_app_dir(tmp_path_factory.mktemp("app"))
    return snapshot(lambda: build(folder).app_name)


def test_streamlit_runs_streamlit_app_py_from_the_uploaded_folder(app: RecordingMocks) -> None:
    streamlit = app.one("snowflake:index/streamlit:Streamlit").inputs
    assert streamlit["name"] == names.STREAMLIT_APP
    assert streamlit["mainFile"] == "streamlit_app.py" == names.STREAMLIT_MAIN_FILE
    assert (streamlit["database"], streamlit["schema"]) == (names.DATABASE, names.GOLD)
    assert streamlit["stage"] == fqn(names.DATABASE, names.GOLD, names.APP_STAGE)
    assert streamlit["directoryLocation"] == names.APP_STAGE_DIRECTORY
    assert streamlit["queryWarehouse"] == names.WAREHOUSE
    upload = app.one("pulumi-python:dynamic/c360:StageFiles").inputs
    assert (upload["stage"], upload["directory"]) == (streamlit["stage"], streamlit["directoryLocation"])
    assert set(upload["files"]) == {"streamlit_app.py", "environment.yml", "tabs/segments.py"}


def test_app_roles_get_usage_and_gold_readers_read_the_semantic_model(app: RecordingMocks) -> None:
    grants = [g.inputs for g in app.of_type(GRANT)]
    app_fqn = fqn(names.DATABASE, names.GOLD, names.STREAMLIT_APP)
    usage = {
        g["accountRoleName"]
        for g in grants
        if g["onSchemaObject"] == {"objectType": "STREAMLIT", "objectName": app_fqn}
    }
    assert usage == {r.value for r in APP_ROLES} == {"MARKETING_MANAGER", "DATA_ANALYST"}
    semantic = fqn(names.DATABASE, names.GOLD, names.SEMANTIC_STAGE)
    on_semantic = {
        g["accountRoleName"]: tuple(g["privileges"])
        for g in grants
        if g["onSchemaObject"]["objectName"] == semantic
    }
    gold_readers = {g.role.value for g in GRANT_MATRIX if g.schema == names.GOLD}
    assert set(on_semantic) == gold_readers
    for grant in GRANT_MATRIX:
        if grant.schema == names.GOLD:
            expected = ("READ", "WRITE") if grant.access is Access.WRITE else ("READ",)
            assert on_semantic[grant.role.value] == expected
    app_stage = fqn(names.DATABASE, names.GOLD, names.APP_STAGE)
    assert {g["accountRoleName"] for g in grants if g["onSchemaObject"]["objectName"] == app_stage} == {
        "DATA_ENGINEER",  # uploads the files
        "MARKETING_MANAGER",  # the app's owner reads them
    }
    assert all(names.GOLD in readable_schemas(g["accountRoleName"]) for g in grants)


def test_the_app_runs_with_the_gold_only_role_not_the_deployer(app: RecordingMocks) -> None:
    ownership = app.one("snowflake:index/grantOwnership:GrantOwnership").inputs
    assert ownership == {
        "accountRoleName": "MARKETING_MANAGER",
        "on": {"objectType": "STREAMLIT", "objectName": fqn(names.DATABASE, names.GOLD, names.STREAMLIT_APP)},
        "outboundPrivileges": "COPY",
    }
    assert readable_schemas("MARKETING_MANAGER") == frozenset({names.GOLD})


def test_outputs(mocks: RecordingMocks, app_dir: Path) -> None:
    name = declare(lambda: build(app_dir).app_name)
    assert name == names.STREAMLIT_APP
    assert app_url("MYORG", "C360_DEV") == (
        "https://app.snowflake.com/myorg/c360_dev/#/streamlit-apps/CUSTOMER_ANALYTICS.GOLD.C360_APP"
    )
    assert semantic_model_location() == "@CUSTOMER_ANALYTICS.GOLD.SEMANTIC_STAGE/semantic_model.yaml"


def test_children_are_parented(mocks: RecordingMocks, app_dir: Path) -> None:
    declare(lambda: assert_parented(build(app_dir), "c360:app:App"))


def test_app_folder_is_checked(app_dir: Path) -> None:
    (app_dir / "__init__.py").write_text("")
    with pytest.raises(ValueError, match=r"__init__\.py"):
        AppArgs(names.DATABASE, {}, names.WAREHOUSE, app_dir, "MYORG", "C360_DEV")
    (app_dir / "__init__.py").unlink()
    (app_dir / "environment.yml").unlink()
    with pytest.raises(ValueError, match=r"lacks environment\.yml"):
        AppArgs(names.DATABASE, {}, names.WAREHOUSE, app_dir, "MYORG", "C360_DEV")
