"""Personal data per role, on both renderings of c360/masking.py: the local query guard and the Snowflake
masking policy bodies (evaluated here by transpiling them to DuckDB with the role's session roles)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp

from c360 import names
from c360.ddl_tables import ddl_tables
from c360.engines.duckdb import DuckDBSession
from c360.grants import Role
from c360.guard import guard_select, run_guarded
from c360.masking import (
    DBT_MACRO,
    NEVER_SHARED,
    PII_COLUMN_NAMES,
    PII_COLUMNS,
    TREATMENTS,
    PiiKind,
    columns_of,
    dbt_macro_text,
    policy_body,
)
from c360.paths import DBT_DIR

STORED = {"full_name": "Jane Doe", "first_name": "Jane", "last_name": "Doe", "email": "jane.doe@example.com"}
MASKED = "*****"
# What each role sees of each personal column (written out, not derived from the module under test).
EXPECTED: dict[str, dict[str, str]] = {
    "DATA_ENGINEER": STORED,
    "MARKETING_MANAGER": {
        "full_name": "Jane D.",
        "first_name": "Jane",
        "last_name": "D.",
        "email": "j***@example.com",
    },
    "DATA_ANALYST": {
        "full_name": "Jane D.",
        "first_name": "Jane",
        "last_name": "D.",
        "email": "j***@example.com",
    },
    "DATA_SCIENTIST": dict.fromkeys(STORED, MASKED),
}
KIND_OF = {"full_name": PiiKind.FULL_NAME, "first_name": PiiKind.FIRST_NAME, "last_name": PiiKind.LAST_NAME}
KIND_OF["email"] = PiiKind.EMAIL


@pytest.fixture
def warehouse() -> DuckDBSession:
    session = DuckDBSession.in_memory()
    session.run_script(
        """
        create schema gold; create schema bronze;
        create table gold.customer_360_profile (
            customer_id varchar, full_name varchar, first_name varchar, last_name varchar, email varchar,
            age integer, city varchar, customer_segment varchar);
        insert into gold.customer_360_profile values
            ('CUST00000001', 'Jane Doe', 'Jane', 'Doe', 'jane.doe@example.com', 41, 'Austin', 'Declining'),
            ('CUST00000002', null, null, null, null, 35, 'Reno', 'Declining');
        create table bronze.bronze_customers (
            customer_id varchar, first_name varchar, last_name varchar, email varchar);
        insert into bronze.bronze_customers values ('CUST00000001', 'Jane', 'Doe', 'jane.doe@example.com');
        """
    )
    return session


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_the_guard_shows_each_role_what_it_may_see_of_each_personal_column(
    warehouse: DuckDBSession, role: str
) -> None:
    frame = run_guarded(
        warehouse,
        "select full_name, first_name, last_name, email, age, city from customer_360_profile "
        "order by customer_id",
        role,
    )
    first, second = frame.to_dict("records")
    assert {k: first[k] for k in STORED} == EXPECTED[role]
    assert (first["age"], first["city"]) == (41, "Austin")  # not masked
    assert all(second[k] is None for k in STORED)  # NULL stays NULL for every role


@pytest.mark.parametrize("role", ["DATA_ENGINEER", "DATA_ANALYST"])
def test_bronze_personal_columns_are_masked_too(warehouse: DuckDBSession, role: str) -> None:
    frame = run_guarded(warehouse, "select first_name, last_name, email from bronze.bronze_customers", role)
    assert frame.iloc[0].to_dict() == {k: EXPECTED[role][k] for k in ("first_name", "last_name", "email")}


def test_a_masked_role_cannot_find_a_customer_by_the_clear_value(warehouse: DuckDBSession) -> None:
    """As in Snowflake, the mask applies wherever the column is used: WHERE, joins, CTEs, GROUP BY."""
    by_email = "select count(*) as n from gold.customer_360_profile where email = 'jane.doe@example.com'"
    assert run_guarded(warehouse, by_email, "MARKETING_MANAGER").iloc[0, 0] == 0
    assert run_guarded(warehouse, by_email, "DATA_ENGINEER").iloc[0, 0] == 1
    via_cte = (
        "with p as (select email, full_name from customer_360_profile where email like 'jane.doe%') "
        "select count(*) from p"
    )
    assert run_guarded(warehouse, via_cte, "DATA_ANALYST").iloc[0, 0] == 0
    qualified = (
        "select gold.customer_360_profile.email from gold.customer_360_profile "
        "join gold.customer_360_profile as other using (customer_id) where other.email like 'j***%'"
    )
    assert list(run_guarded(warehouse, qualified, "MARKETING_MANAGER")["email"]) == ["j***@example.com"]


def test_the_guard_renders_the_mask_for_snowflake_too() -> None:
    sql = guard_select("select email from customer_360_profile", "MARKETING_MANAGER", dialect="snowflake").sql
    tree = sqlglot.parse_one(sql, read="snowflake")
    assert tree.find(exp.Star).args.get("replace")  # type: ignore[union-attr]
    assert "GOLD.CUSTOMER_360_PROFILE" in sql
    clear = guard_select("select email from customer_360_profile", "DATA_ENGINEER", dialect="snowflake").sql
    assert "REPLACE" not in clear.upper()


# ---- the Snowflake rendering ---------------------------------------------------------------------------

SYSTEM_ROLES_INHERITING_ALL = ("SYSADMIN", "ACCOUNTADMIN")  # the stack grants every c360 role to SYSADMIN


def roles_in_session(role: str) -> set[str]:
    if role in SYSTEM_ROLES_INHERITING_ALL:
        return {role, *(r.value for r in Role)}
    return {role}


def evaluate_policy(kind: PiiKind, role: str, value: str | None) -> object:
    """The policy body as Snowflake evaluates it for a session whose role is `role`."""
    held = roles_in_session(role)

    def resolve(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "is_role_in_session":
            asked = node.expressions[0].name.upper()
            return exp.true() if asked in held else exp.false()
        return node

    body = sqlglot.parse_one(policy_body(kind), read="snowflake").transform(resolve)
    con = DuckDBSession.in_memory()
    return con.scalar(f"select {body.sql(dialect='duckdb')} from (select cast(? as varchar) as val)", [value])


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("column", sorted(STORED))
def test_the_snowflake_policy_shows_each_role_the_same(role: str, column: str) -> None:
    kind = KIND_OF[column]
    assert evaluate_policy(kind, role, STORED[column]) == EXPECTED[role][column]
    assert evaluate_policy(kind, role, None) is None


@pytest.mark.parametrize("kind", list(PiiKind))
def test_roles_outside_the_definition_see_nothing_and_admins_see_everything(kind: PiiKind) -> None:
    stored, _ = TREATMENTS[kind].example
    assert evaluate_policy(kind, "PUBLIC", stored) == MASKED
    assert evaluate_policy(kind, "SOME_PARTNER_ROLE", stored) == MASKED
    assert evaluate_policy(kind, "SYSADMIN", stored) == stored  # owns the tasks and alerts; inherits all


@pytest.mark.parametrize("kind", list(PiiKind))
def test_partial_masks_are_idempotent_and_match_their_examples(kind: PiiKind) -> None:
    """A value masked twice (the guard over a Snowflake column that is already masked) stays the same."""
    stored, partial = TREATMENTS[kind].example
    assert evaluate_policy(kind, "MARKETING_MANAGER", stored) == partial
    assert evaluate_policy(kind, "MARKETING_MANAGER", partial) == partial


# ---- coverage: every personal column of the project is in the definition --------------------------------


def _model_columns() -> dict[str, set[str]]:
    """relation (SCHEMA.TABLE) -> documented columns, for every dbt model and snapshot and the bronze DDL."""
    folders = {"staging": names.SILVER, "intermediate": names.SILVER, "marts": names.GOLD, "ml": names.GOLD}
    found: dict[str, set[str]] = {}
    for folder, schema in folders.items():
        for path in (DBT_DIR / "models" / folder).rglob("*.yml"):
            for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
                found[f"{schema}.{model['name']}".upper()] = {c["name"] for c in model.get("columns") or []}
    for path in (DBT_DIR / "snapshots").glob("*.yml"):
        for snapshot in (yaml.safe_load(path.read_text()) or {}).get("snapshots") or []:
            source = re.search(r"ref\('(\w+)'\)", snapshot["relation"])
            assert source, snapshot["name"]
            found[f"{names.SILVER}.{snapshot['name']}".upper()] = found[
                f"{names.SILVER}.{source.group(1)}".upper()
            ]
    for table in ddl_tables("ddl/bronze").values():
        found[f"{table.schema}.{table.name}"] = set(table.column_names)
    return found


def test_every_personal_column_in_the_project_is_masked() -> None:
    columns = _model_columns()
    unlisted = sorted(
        f"{relation}.{column}"
        for relation, cols in columns.items()
        for column in cols & PII_COLUMN_NAMES
        if column not in {c.column for c in columns_of(relation)}
    )
    assert unlisted == [], "add these to c360/masking.py PII_COLUMNS"
    missing = sorted(
        f"{c.relation}.{c.column}" for c in PII_COLUMNS if c.column not in columns.get(c.relation, set())
    )
    assert missing == [], "PII_COLUMNS lists columns the relations do not have"


def test_the_dbt_post_hook_map_is_generated_from_the_definition() -> None:
    assert Path(DBT_MACRO).read_text() == dbt_macro_text(), "run `python -m c360.masking`"
    text = dbt_macro_text()
    for column in PII_COLUMNS:
        if column.schema != names.BRONZE:
            assert f"'{column.column}': '{TREATMENTS[column.kind].policy}'" in text


def test_nothing_personal_is_ever_shareable() -> None:
    assert PII_COLUMN_NAMES <= NEVER_SHARED
    assert {c.column for c in PII_COLUMNS} <= NEVER_SHARED
    assert "customer_id" in NEVER_SHARED


# ---- the dbt post-hook's statements (Snowflake; the emulator in CI has no masking policies) ----------------

POST_HOOK = DBT_DIR / "macros" / "governance" / "apply_masking_policies.sql"
ALTER = re.compile(
    r"^alter (?P<kind>table|view) CUSTOMER_ANALYTICS\.(?P<schema>SILVER|GOLD)\.(?P<table>\w+) modify column "
    r"(?P<column>\w+) set masking policy CUSTOMER_ANALYTICS\.OBSERVABILITY\.(?P<policy>C360_PII_\w+) force$"
)


class _Returned(Exception):
    def __init__(self, value: object) -> None:
        self.value = value


def _dbt_return(value: object) -> str:
    raise _Returned(value)


def render_post_hook(relation: str, materialized: str, masking: bool = True) -> list[str]:
    """dbt's rendering of the Snowflake post-hook for one relation (a minimal dbt context: this, config, var)."""
    import jinja2

    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    try:
        env.from_string(Path(DBT_MACRO).read_text() + "{{ pii_columns() }}").render({"return": _dbt_return})
    except _Returned as returned:
        mapping = returned.value
    schema, _, table = relation.partition(".")

    class This:
        identifier = table.lower()

        def __str__(self) -> str:
            return f"CUSTOMER_ANALYTICS.{schema}.{table.lower()}"

    context = {
        "this": This(),
        "config": {"materialized": materialized},
        "var": lambda name, default=None: masking if name == "masking_policies" else default,
        "target": type("Target", (), {"database": "CUSTOMER_ANALYTICS"}),
        "c360": type("C360", (), {"pii_columns": staticmethod(lambda: mapping)}),
    }
    text = env.from_string(POST_HOOK.read_text() + "{{ default__apply_masking_policies() }}").render(context)
    return [" ".join(s.split()) for s in text.split(";") if s.strip()]


@pytest.mark.parametrize(
    "relation", [r for r in dict.fromkeys(c.relation for c in PII_COLUMNS) if "BRONZE" not in r]
)
def test_the_post_hook_attaches_each_column_s_policy_on_snowflake(relation: str) -> None:
    materialized = "view" if relation.startswith("SILVER.STG_") else "table"
    statements = render_post_hook(relation, materialized)
    found = set()
    for statement in statements:
        match = ALTER.match(statement)
        assert match, statement
        assert match["kind"] == materialized and f"{match['schema']}.{match['table']}".upper() == relation
        found.add((match["column"], match["policy"]))
    assert found == {(c.column, TREATMENTS[c.kind].policy) for c in columns_of(relation)}
    assert render_post_hook(relation, materialized, masking=False) == []  # the emulator's switch
    assert render_post_hook("GOLD.FCT_TRANSACTIONS", "table") == []  # nothing personal, nothing attached


def test_a_catalog_qualified_table_keeps_its_catalog_through_a_cursor(warehouse: DuckDBSession) -> None:
    """The app runs each query on a cursor, which has no USE of the warehouse catalog: the masked
    projection must name the table as the query did."""
    cursor = DuckDBSession(warehouse.con.cursor(), None, True)
    frame = run_guarded(
        cursor,
        "select email from customer_analytics.gold.customer_360_profile where customer_id = ?",
        "MARKETING_MANAGER",
        ["CUST00000001"],
    )
    assert list(frame["email"]) == ["j***@example.com"]


def test_a_table_without_some_personal_column_still_masks_the_others() -> None:
    """REPLACE refuses a column the table lacks (e.g. built before a column was added): only present ones."""
    session = DuckDBSession.in_memory()
    session.run_script(
        "create schema gold; create table gold.customer_360_profile (customer_id varchar, full_name varchar);"
        "insert into gold.customer_360_profile values ('CUST00000001', 'Jane Doe')"
    )
    frame = run_guarded(session, "select * from customer_360_profile", "MARKETING_MANAGER")
    assert frame.to_dict("records") == [{"customer_id": "CUST00000001", "full_name": "Jane D."}]


def test_the_guard_s_placeholder_name_is_reserved() -> None:
    from c360.guard import GuardError

    with pytest.raises(GuardError, match="reserved"):
        guard_select("select 1 as c360_masked_relation_0 from customer_360_profile", "MARKETING_MANAGER")
