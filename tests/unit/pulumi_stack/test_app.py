"""App under mocks: the streamlit/ upload, the Streamlit object, the semantic stage and the grants."""

from __future__ import annotations

from pathlib import Path

import pytest

from c360 import names
from c360.grants import APP_ROLES, GRANT_MATRIX, Access, readable_schemas
from components.app import APP_OWNER, APP_SHARED_MODULES, App, AppArgs, app_url, semantic_model_location
from components.snowflake_context import fqn
from tests.unit.pulumi_stack.conftest import (
    RecordingMocks,
    assert_parented,
    declare,
    declare_graph,
    make_app_dir,
    snapshot,
)

GRANT = "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole"


def build(app_dir: Path, **changes: object) -> App:
    return App(
        "app",
        AppArgs(
            database=names.DATABASE,
            schemas={s: s for s in names.SCHEMAS},
            warehouse=names.WAREHOUSE,
            app_dir=app_dir,
            snowflake_organization="MYORG",
            snowflake_account="C360_DEV",
            **changes,  # type: ignore[arg-type]
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
    upload = app.one("pulumi-python:dynamic/c360:StageFiles", "app-files").inputs
    assert (upload["stage"], upload["directory"]) == (streamlit["stage"], streamlit["directoryLocation"])
    assert set(upload["files"]) == {"streamlit_app.py", "environment.yml", "tabs/segments.py"}


def test_the_c360_modules_the_app_imports_are_uploaded_beside_it(app: RecordingMocks) -> None:
    """Streamlit in Snowflake has no c360 package: the app's `import c360.assistant.messages` finds the copy
    uploaded under c360_app/c360/ (a namespace package: no __init__.py is uploaded)."""
    streamlit = app.one("snowflake:index/streamlit:Streamlit").inputs
    shared = app.one("pulumi-python:dynamic/c360:StageFiles", "app-shared-files").inputs
    assert shared["stage"] == streamlit["stage"]
    assert shared["directory"] == f"{streamlit['directoryLocation']}/c360"
    assert shared["source_dir"] == "c360"
    assert set(shared["files"]) == set(APP_SHARED_MODULES)
    assert {"assistant/messages.py", "assistant/cortex.py", "assistant/chart_choice.py"} <= set(
        shared["files"]
    )
    assert not any(path.endswith("__init__.py") for path in shared["files"])


def test_app_roles_get_usage_and_gold_readers_read_the_semantic_model(app: RecordingMocks) -> None:
    grants = [g.inputs for g in app.of_type(GRANT)]
    app_fqn = fqn(names.DATABASE, names.GOLD, names.STREAMLIT_APP)
    usage = {
        g["accountRoleName"]
        for g in grants
        if g["onSchemaObject"] == {"objectType": "STREAMLIT", "objectName": app_fqn}
    }
    # the owner (MARKETING_MANAGER) holds OWNERSHIP: a USAGE grant to it would diff forever (defect 8)
    assert usage == {r.value for r in APP_ROLES} - {APP_OWNER.value} == {"DATA_ANALYST"}
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


def test_the_upload_waits_for_the_uploader_grant_and_no_grant_waits_for_the_upload(app_dir: Path) -> None:
    """Defect 2: the files are PUT as DATA_ENGINEER, so StageFiles waits for its READ/WRITE grant on
    APP_STAGE and for the uploader's access; no grant on the stage waits for the upload (else a refused PUT
    could never heal on a re-run)."""
    access = []

    def program() -> App:
        import pulumi_snowflake as snowflake

        access.append(snowflake.AccountRole("de-role", name="DATA_ENGINEER"))
        return build(app_dir, uploader_ready=(access[0],), role_names={"DATA_ENGINEER": access[0].name})

    graph = declare_graph(lambda: program().app_name)
    grants = [n for n in graph.nodes if n.typ.endswith("GrantPrivilegesToAccountRole")]
    app_stage = fqn(names.DATABASE, names.GOLD, names.APP_STAGE)
    on_stage = [g for g in grants if g.inputs["onSchemaObject"]["objectName"] == app_stage]
    for name in ("app-files", "app-shared-files"):  # the app folder and the c360 modules beside it
        upload = graph.one(name)
        waits_for = {graph.by_urn[u].name for u in graph.ancestors(upload.urn)}
        assert "app-grant-data-engineer-schema-object-stage-customer-analytics-gold-app-stage" in waits_for
        assert {"app-stage", "de-role"} <= waits_for
        assert on_stage and not [g.name for g in on_stage if graph.happens_before(upload.urn, g.urn)]
    # and every grant to DATA_ENGINEER waits for the role resource (named through its output)
    role = graph.one("de-role")
    assert all(
        graph.happens_before(role.urn, g.urn)
        for g in grants
        if g.inputs["accountRoleName"] == "DATA_ENGINEER"
    )


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
