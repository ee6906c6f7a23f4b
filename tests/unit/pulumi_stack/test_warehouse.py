"""Warehouse under mocks, and the grant plan rendered from the single grant matrix."""

from __future__ import annotations

from collections import defaultdict

import pytest

from c360 import names
from c360.grants import GRANT_MATRIX, Access, Role, SchemaGrant, readable_schemas
from components.grant_plan import (
    READ_TABLE_PRIVILEGES,
    WRITE_TABLE_PRIVILEGES,
    GrantScope,
    render_schema_grants,
)
from components.warehouse import Warehouse, WarehouseArgs, schema_comments
from tests.unit.pulumi_stack.conftest import (
    RecordingMocks,
    Registered,
    assert_parented,
    declare,
    declare_graph,
    snapshot,
)

GRANT = "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole"


def build(**changes: object) -> Warehouse:
    return Warehouse("warehouse", WarehouseArgs(lifecycle_user="C360_PIPELINE", **changes))  # type: ignore[arg-type]


def grant_target(r: Registered) -> tuple[str, str, str]:
    """(scope, object type, object name) of a registered grant, from its raw inputs."""
    if "onAccountObject" in r.inputs:
        return (
            "account_object",
            r.inputs["onAccountObject"]["objectType"],
            r.inputs["onAccountObject"]["objectName"],
        )
    if "onSchema" in r.inputs:
        return "schema", "SCHEMA", r.inputs["onSchema"]["schemaName"]
    on = r.inputs["onSchemaObject"]
    for scope in ("all", "future"):
        if scope in on:
            return f"{scope}_in_schema", on[scope]["objectTypePlural"], on[scope]["inSchema"]
    return "schema_object", on["objectType"], on["objectName"]


def test_database_schemas_and_warehouse(mocks: RecordingMocks) -> None:
    declare(lambda: build(warehouse_size="SMALL", auto_suspend_seconds=120).warehouse_name)
    warehouse = mocks.one("snowflake:index/warehouse:Warehouse").inputs
    assert warehouse["name"] == names.WAREHOUSE
    assert warehouse["warehouseSize"] == "SMALL"
    assert warehouse["autoSuspend"] == 120 and warehouse["autoResume"] == "true"
    assert warehouse["initiallySuspended"] is True
    assert mocks.one("snowflake:index/database:Database").inputs["name"] == names.DATABASE
    schemas = {r.inputs["name"]: r.inputs for r in mocks.of_type("snowflake:index/schema:Schema")}
    assert sorted(schemas) == sorted(names.SCHEMAS)
    assert all(s["database"] == names.DATABASE for s in schemas.values())
    assert schemas[names.BRONZE]["comment"] == schema_comments()[names.BRONZE] != ""


def test_resource_monitor_caps_the_warehouse(mocks: RecordingMocks) -> None:
    declare(lambda: build(monthly_credit_quota=50).warehouse_name)
    monitor = mocks.one("snowflake:index/resourceMonitor:ResourceMonitor").inputs
    assert monitor["name"] == names.RESOURCE_MONITOR
    assert monitor["creditQuota"] == 50 and monitor["notifyTriggers"] == [75, 90]
    assert monitor["suspendTrigger"] == 100 and monitor["suspendImmediateTrigger"] == 110
    attach = mocks.one("snowflake:index/execute:Execute").inputs
    assert (
        attach["execute"]
        == f"alter warehouse {names.WAREHOUSE} set resource_monitor = {names.RESOURCE_MONITOR}"
    )
    assert attach["revert"] == f"alter warehouse if exists {names.WAREHOUSE} unset resource_monitor"


def test_only_the_admin_role_attaches_the_monitor(mocks: RecordingMocks) -> None:
    """Defect 1: assigning a resource monitor to a warehouse needs ACCOUNTADMIN (MONITOR/MODIFY on the monitor
    are not enough), so the objects role creates the warehouse without one and the admin role attaches it,
    after both exist; the warehouse resource ignores the attribute so it never undoes the attachment."""
    import pulumi_snowflake as snowflake

    from components.snowflake_context import SnowflakeProviders

    def program() -> object:
        providers = SnowflakeProviders(
            admin=snowflake.Provider("admin", role="ACCOUNTADMIN"),
            security=snowflake.Provider("security", role="SECURITYADMIN"),
            objects=snowflake.Provider("objects", role="SYSADMIN"),
        )
        return build(monthly_credit_quota=50, providers=providers).warehouse_name

    graph = declare_graph(program)
    warehouse = graph.one("warehouse-warehouse")
    assert "resourceMonitor" not in warehouse.inputs
    assert graph.by_urn[warehouse.provider].inputs["role"] == "SYSADMIN"  # type: ignore[index]
    attach = graph.one("warehouse-monitor-attachment")
    assert graph.by_urn[attach.provider].inputs["role"] == "ACCOUNTADMIN"  # type: ignore[index]
    assert {graph.by_urn[u].name for u in graph.ancestors(attach.urn)} >= {
        "warehouse-warehouse",
        "warehouse-monitor",
    }
    assert not [g for g in graph.of_type("GrantPrivilegesToAccountRole") if "onAccountObject" in g.inputs
                and g.inputs["onAccountObject"]["objectType"] == "RESOURCE MONITOR"]  # fmt: skip
    assert warehouse.ignore_changes == ("resourceMonitor",)


def test_quota_zero_declares_no_monitor(mocks: RecordingMocks) -> None:
    declare(lambda: build(monthly_credit_quota=0).warehouse_name)
    assert not mocks.of_type("snowflake:index/resourceMonitor:ResourceMonitor")
    assert not mocks.of_type("snowflake:index/execute:Execute")
    assert "resourceMonitor" not in mocks.one("snowflake:index/warehouse:Warehouse").inputs


def test_grants_name_their_role_through_the_role_resource() -> None:
    """Defect 6: every grant waits for the role it names (the role's output, not a string)."""
    graph = declare_graph(lambda: build().warehouse_name)
    roles = {n.inputs["name"]: n.urn for n in graph.of_type(":AccountRole")}
    grants = graph.of_type("GrantPrivilegesToAccountRole")
    assert len(grants) > 50
    for grant in grants:
        role = grant.inputs["accountRoleName"]
        if role in roles:
            assert graph.happens_before(roles[role], grant.urn), grant.name


@pytest.fixture(scope="module")
def warehouse() -> RecordingMocks:
    return snapshot(lambda: build().warehouse_name)


def test_roles_hierarchy_and_lifecycle_user(warehouse: RecordingMocks) -> None:
    mocks = warehouse
    assert {r.inputs["name"] for r in mocks.of_type("snowflake:index/accountRole:AccountRole")} == {
        r.value for r in Role
    }
    grants = mocks.of_type("snowflake:index/grantAccountRole:GrantAccountRole")
    parents = {
        g.inputs["roleName"]: g.inputs.get("parentRoleName") for g in grants if "parentRoleName" in g.inputs
    }
    assert parents == {r.value: "SYSADMIN" for r in Role}
    (user_grant,) = [g for g in grants if "userName" in g.inputs]
    assert user_grant.inputs == {"roleName": "DATA_ENGINEER", "userName": "C360_PIPELINE"}


def test_grants_registered_are_exactly_the_rendered_plan(warehouse: RecordingMocks) -> None:
    mocks = warehouse
    registered = {
        (g.inputs["accountRoleName"], *grant_target(g)): tuple(g.inputs["privileges"])
        for g in mocks.of_type(GRANT)
        if grant_target(g)[1] != "RESOURCE MONITOR"  # the deploy role's, not the matrix's (tested above)
    }
    plan = {
        (s.role, s.scope.value, s.object_type, s.object_name): s.privileges for s in render_schema_grants()
    }
    assert registered == plan


def test_grant_plan_matches_the_matrix_exactly() -> None:
    plan = render_schema_grants()
    on_schema: dict[tuple[str, str], set[str]] = defaultdict(set)
    for spec in plan:
        if spec.scope is not GrantScope.ACCOUNT_OBJECT:
            on_schema[(spec.role, spec.object_name.split(".")[1])].update(spec.privileges)
    for role in Role:
        granted = {schema for (r, schema) in on_schema if r == role.value}
        assert granted == set(readable_schemas(role)), role
    # MARKETING_MANAGER: GOLD only — nothing at all on BRONZE, SILVER or OBSERVABILITY
    for schema in (names.BRONZE, names.SILVER, names.OBSERVABILITY):
        assert (Role.MARKETING_MANAGER.value, schema) not in on_schema
    # read vs write privileges, current and future, per matrix entry
    for grant in GRANT_MATRIX:
        schema = f"{names.DATABASE}.{grant.schema}"
        for scope in (GrantScope.ALL_IN_SCHEMA, GrantScope.FUTURE_IN_SCHEMA):
            (tables,) = [
                s
                for s in plan
                if (s.role, s.scope, s.object_type, s.object_name) == (grant.role, scope, "TABLES", schema)
            ]
            expected = WRITE_TABLE_PRIVILEGES if grant.access is Access.WRITE else READ_TABLE_PRIVILEGES
            assert tables.privileges == expected
            assert any(
                (s.role, s.scope, s.object_type) == (grant.role, scope, "VIEWS") and s.object_name == schema
                for s in plan
            )
    ml = {s.role for s in plan if "CREATE SNOWFLAKE.ML.CLASSIFICATION" in s.privileges}
    assert ml == {Role.DATA_ENGINEER.value, Role.DATA_SCIENTIST.value}
    assert not any(s.role in ("ACCOUNTADMIN", "PUBLIC") for s in plan)
    assert len({s.key for s in plan}) == len(plan)


def test_a_changed_matrix_changes_the_plan() -> None:
    matrix = (*GRANT_MATRIX, SchemaGrant(Role.MARKETING_MANAGER, names.SILVER, Access.READ))
    silver = [
        s
        for s in render_schema_grants(matrix)
        if s.role == "MARKETING_MANAGER" and s.object_name.endswith(".SILVER")
    ]
    assert {s.scope for s in silver} == {
        GrantScope.SCHEMA,
        GrantScope.ALL_IN_SCHEMA,
        GrantScope.FUTURE_IN_SCHEMA,
    }
    with pytest.raises(ValueError, match="twice"):
        render_schema_grants((*GRANT_MATRIX, GRANT_MATRIX[0]))
    with pytest.raises(ValueError, match="unknown schema"):
        render_schema_grants((SchemaGrant(Role.DATA_ANALYST, "PUBLIC", Access.READ),))


def test_no_hierarchy_grant_to_accountadmin(mocks: RecordingMocks) -> None:
    from components.snowflake_context import SnowflakeDeployRoles

    declare(lambda: build(deploy_roles=SnowflakeDeployRoles(objects="ACCOUNTADMIN")).warehouse_name)
    assert not [
        g
        for g in mocks.of_type("snowflake:index/grantAccountRole:GrantAccountRole")
        if "parentRoleName" in g.inputs
    ]


def test_children_are_parented(mocks: RecordingMocks) -> None:
    declare(lambda: assert_parented(build(), "c360:warehouse:Warehouse"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"warehouse_size": "HUGE"}, "warehouse_size"),
        ({"auto_suspend_seconds": 600}, "auto_suspend_seconds"),
        ({"auto_suspend_seconds": 0}, "auto_suspend_seconds"),
        ({"data_retention_days": 91}, "data_retention_days"),
        ({"monthly_credit_quota": -1}, "monthly_credit_quota"),
    ],
)
def test_args_are_validated(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WarehouseArgs(**changes)  # type: ignore[arg-type]
