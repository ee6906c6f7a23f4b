"""The rehearsal engine on small graphs: it reports each kind of deploy blocker the issue names (a privilege
the role never holds, an upload whose grant waits for it, a grant racing the object it covers) and stays
quiet once the dependency or the role is right. The whole stack is rehearsed in test_deploy_rehearsal.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.unit.pulumi_stack.rehearsal.engine import Finding, Rehearsal
from tests.unit.pulumi_stack.rehearsal.graph import DeployGraph, Node
from tests.unit.pulumi_stack.rehearsal.statements import analyze

DB, SCHEMA = "CUSTOMER_ANALYTICS", "CUSTOMER_ANALYTICS.BRONZE"


def node(
    name: str, kind: str, inputs: dict[str, Any], provider: str | None = None, deps: Iterable[str] = ()
) -> Node:
    typ = (
        f"pulumi-python:dynamic/c360:{kind}"
        if kind in ("StageFiles", "LifecycleStep")
        else f"snowflake:index/x:{kind}"
    )
    if kind == "provider":
        typ = "pulumi:providers:snowflake"
    return Node(name, typ, name, inputs, None, provider, True, frozenset(deps), {})


def providers() -> list[Node]:
    return [
        node("admin", "provider", {"role": "ACCOUNTADMIN", "user": "DEPLOY"}),
        node("security", "provider", {"role": "SECURITYADMIN", "user": "DEPLOY"}),
        node("objects", "provider", {"role": "SYSADMIN", "user": "DEPLOY"}),
    ]


def base() -> list[Node]:
    return [
        *providers(),
        node("db", "Database", {"name": DB}, "objects"),
        node("schema", "Schema", {"database": DB, "name": "BRONZE"}, "objects", ["db"]),
        node("role", "AccountRole", {"name": "DATA_ENGINEER"}, "security"),
        node(
            "user-role",
            "GrantAccountRole",
            {"roleName": "DATA_ENGINEER", "userName": "DEPLOY"},
            "security",
            ["role"],
        ),
        grant(
            "db-usage",
            {"onAccountObject": {"objectType": "DATABASE", "objectName": DB}},
            ["USAGE"],
            ["db", "role"],
        ),
        grant("schema-usage", {"onSchema": {"schemaName": SCHEMA}}, ["USAGE"], ["schema", "role"]),
    ]


def grant(name: str, target: dict[str, Any], privileges: list[str], deps: Iterable[str]) -> Node:
    return node(
        name,
        "GrantPrivilegesToAccountRole",
        {"accountRoleName": "DATA_ENGINEER", "privileges": privileges, **target},
        "security",
        deps,
    )


def rehearse(nodes: list[Node], steps: dict[str, list[str]] | None = None) -> list[Finding]:
    rehearsal = Rehearsal(
        graph=DeployGraph(nodes),
        deploy_user="DEPLOY",
        lifecycle_user="DEPLOY",
        lifecycle_role="DATA_ENGINEER",
        lifecycle_warehouse="WH",
        database=DB,
        step_operations={s: [analyze(q, database=DB) for q in qs] for s, qs in (steps or {}).items()},
        stage_file_statements=lambda n: [f"put 'file:///x/a.py' @{n.inputs['stage']}/app/ overwrite = true"],
    )
    return rehearsal.run()


def test_a_warehouse_with_a_monitor_needs_accountadmin() -> None:
    monitor = node("monitor", "ResourceMonitor", {"name": "M"}, "admin")
    attached = node("wh", "Warehouse", {"name": "WH", "resourceMonitor": "M"}, "objects", ["monitor"])
    (finding,) = rehearse([*providers(), monitor, attached])
    assert (finding.category, finding.rule, finding.resource) == ("MISSING", "assign_resource_monitor", "wh")
    plain = node("wh", "Warehouse", {"name": "WH"}, "objects")
    attach = node(
        "attach",
        "Execute",
        {"execute": "alter warehouse WH set resource_monitor = M"},
        "admin",
        ["wh", "monitor"],
    )
    assert rehearse([*providers(), monitor, plain, attach]) == []
    by_sysadmin = node(
        "attach",
        "Execute",
        {"execute": "alter warehouse WH set resource_monitor = M"},
        "objects",
        ["wh", "monitor"],
    )
    assert [f.rule for f in rehearse([*providers(), monitor, plain, by_sysadmin])] == [
        "assign_resource_monitor"
    ]


def test_an_upload_whose_grant_waits_for_it_can_never_succeed() -> None:
    stage = node(
        "stage", "StageInternal", {"database": DB, "schema": "BRONZE", "name": "FILES"}, "objects", ["schema"]
    )
    upload = node(
        "upload",
        "StageFiles",
        {"stage": f"{SCHEMA}.FILES"},
        None,
        ["stage", "db-usage", "schema-usage", "user-role"],
    )
    on_stage = {"onSchemaObject": {"objectType": "STAGE", "objectName": f"{SCHEMA}.FILES"}}
    late = grant("write", on_stage, ["READ", "WRITE"], ["stage", "role", "upload"])
    findings = rehearse([*base(), stage, upload, late])
    assert {(f.category, f.rule) for f in findings} == {("UNRECOVERABLE", "stage_write")}
    early = grant("write", on_stage, ["READ", "WRITE"], ["stage", "role"])
    racing = rehearse([*base(), stage, upload, early])
    assert {(f.category, f.rule) for f in racing} == {("RACE", "stage_write")}
    waiting = node(
        "upload",
        "StageFiles",
        {"stage": f"{SCHEMA}.FILES"},
        None,
        ["stage", "db-usage", "schema-usage", "user-role", "write"],
    )
    assert rehearse([*base(), stage, waiting, early]) == []


def test_grant_on_all_tables_races_the_table_a_future_grant_before_it_does_not() -> None:
    table = node("table", "Table", {"database": DB, "schema": "BRONZE", "name": "T"}, "objects", ["schema"])
    insert = {"step": ["insert into BRONZE.T (a) values (1)"]}
    every = ["db-usage", "schema-usage", "user-role", "table"]
    all_tables = grant(
        "all",
        {"onSchemaObject": {"all": {"objectTypePlural": "TABLES", "inSchema": SCHEMA}}},
        ["INSERT"],
        ["schema", "role"],
    )
    step = node("step", "LifecycleStep", {"step": "step"}, None, [*every, "all"])
    findings = rehearse([*base(), table, all_tables, step], insert)
    assert [(f.category, f.rule, f.need) for f in findings] == [
        ("RACE", "table_dml", f"INSERT on RELATION {SCHEMA}.T")
    ]
    future = grant(
        "future",
        {"onSchemaObject": {"future": {"objectTypePlural": "TABLES", "inSchema": SCHEMA}}},
        ["INSERT"],
        ["schema", "role"],
    )
    after_future = node(
        "table", "Table", {"database": DB, "schema": "BRONZE", "name": "T"}, "objects", ["schema", "future"]
    )
    step = node("step", "LifecycleStep", {"step": "step"}, None, [*every, "future"])
    assert rehearse([*base(), after_future, future, step], insert) == []


def test_a_grant_to_a_role_that_may_not_exist_yet_is_a_race() -> None:
    stage = node(
        "stage", "StageInternal", {"database": DB, "schema": "BRONZE", "name": "FILES"}, "objects", ["schema"]
    )
    by_name = grant(
        "read",
        {"onSchemaObject": {"objectType": "STAGE", "objectName": f"{SCHEMA}.FILES"}},
        ["READ"],
        ["stage"],
    )
    (finding,) = rehearse([*base(), stage, by_name])
    assert (finding.category, finding.need) == ("RACE", "role DATA_ENGINEER to exist")
    assert "role" in finding.detail
