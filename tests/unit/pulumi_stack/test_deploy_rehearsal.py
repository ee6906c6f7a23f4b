"""The deploy rehearsal: the first `pulumi up` on a fresh account, replayed offline (tests/unit/pulumi_stack/
rehearsal/). The whole program registers under mocks with its dependencies; the lifecycle steps that can run
offline run for real on the Snowflake emulator; then every resource, in dependency order, is checked against
what Snowflake requires of the role that creates it, at that moment of the deployment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlglot

from c360 import names
from c360.paths import REPO_ROOT
from tests.unit.pulumi_stack.rehearsal.emulator import (
    EMULATED,
    NOT_EMULATED,
    OFFLINE_STEPS,
    EmulatorRun,
    run_on_emulator,
)
from tests.unit.pulumi_stack.rehearsal.engine import (
    Finding,
    Rehearsal,
    report,
    stage_file_statements,
)
from tests.unit.pulumi_stack.rehearsal.graph import DeployGraph, capture_program
from tests.unit.pulumi_stack.rehearsal.lifecycle import step_operations
from tests.unit.pulumi_stack.rehearsal.statements import (
    SNOWFLAKE_COMMANDS,
    analyze,
    flatten,
    scripting_statements,
)
from tests.unit.pulumi_stack.test_program import PRIVATE_KEY, stack_config

log = logging.getLogger(__name__)
pytestmark = [
    pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning"),
    pytest.mark.timeout(600),
]
LIFECYCLE_ROLE = "DATA_ENGINEER"  # SNOWFLAKE_ROLE of the lifecycle steps (docs/deploy.md, Credentials)


@dataclass(frozen=True)
class Rehearsed:
    stack: str
    graph: DeployGraph
    emulator: EmulatorRun
    rehearsal: Rehearsal
    findings: list[Finding]
    text: str


def capture(stack: str) -> DeployGraph:
    """The real program with the real app and dbt folders, as `pulumi up -s <stack>` would run it."""
    config = stack_config(
        stack, REPO_ROOT / "streamlit", REPO_ROOT / "dbt", **{"c360:snowflakePrivateKey": PRIVATE_KEY}
    )
    return capture_program(
        REPO_ROOT / "stacks" / "__main__.py",
        project="c360",
        stack=stack,
        config=config,
        secret_keys=["c360:snowflakePrivateKey"],
    )


def rehearse(stack: str, graph: DeployGraph, emulator: EmulatorRun) -> Rehearsed:
    providers = graph.of_type("providers:snowflake")
    deploy_user = str(providers[0].inputs["user"])
    lifecycle_users = [
        str(n.inputs["userName"]) for n in graph.of_type("GrantAccountRole") if n.inputs.get("userName")
    ]
    rehearsal = Rehearsal(
        graph=graph,
        deploy_user=deploy_user,
        lifecycle_user=lifecycle_users[0] if lifecycle_users else deploy_user,
        lifecycle_role=LIFECYCLE_ROLE,
        lifecycle_warehouse=names.WAREHOUSE,
        database=names.DATABASE,
        step_operations=step_operations(emulator.steps, database=names.DATABASE, warehouse=names.WAREHOUSE),
        stage_file_statements=stage_file_statements,
    )
    findings = rehearsal.run()
    text = report(findings, rehearsal, f"stack={stack}")
    log.info("%s", text)
    return Rehearsed(stack, graph, emulator, rehearsal, findings, text)


@pytest.fixture(scope="module")
def emulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[DeployGraph, EmulatorRun]:
    graph = capture("dev")
    return graph, run_on_emulator(graph, tmp_path_factory.mktemp("emulator"))


@pytest.fixture(scope="module", params=["dev", "prod"])
def rehearsed(request: pytest.FixtureRequest, emulated: tuple[DeployGraph, EmulatorRun]) -> Rehearsed:
    dev_graph, emulator = emulated
    graph = dev_graph if request.param == "dev" else capture(request.param)
    return rehearse(request.param, graph, emulator)


def test_first_deploy_is_allowed_at_every_step(rehearsed: Rehearsed) -> None:
    """Every resource and every lifecycle statement is allowed to its role when it runs."""
    assert rehearsed.findings == [], "\n" + rehearsed.text
    assert len(rehearsed.rehearsal.checks) > 300  # the whole stack and all six lifecycle steps were checked


def test_the_offline_lifecycle_steps_ran_on_the_emulator(emulated: tuple[DeployGraph, EmulatorRun]) -> None:
    _, run = emulated
    assert run.outcomes == dict.fromkeys(OFFLINE_STEPS, "ran"), run.outcomes
    # the customers COPY recorded the bucket key (METADATA$FILENAME as documented), and the step's own
    # row check found every row under it
    customers = dict(run.bronze["BRONZE_CUSTOMERS"])
    assert customers.pop(names.CUSTOMERS_KEY) == 40
    # the monthly card-change files came in through the same COPY, each under its bucket key
    assert customers and all(key.startswith(names.CUSTOMER_CHANGES_PREFIX) for key in customers)
    assert [s for s, _ in run.bronze["BRONZE_TRANSACTIONS"]] == ["generator:transactions:v2:seed=7"]
    copies = [s for s in run.steps["customers"] if s.lower().startswith("copy into")]
    assert len(copies) == 1 and "metadata$filename" in copies[0].lower()


def test_the_stack_runs_on_the_emulator_in_deploy_order(emulated: tuple[DeployGraph, EmulatorRun]) -> None:
    """Every database, schema, file format, stage and table ran on fakesnow in dependency order; the kinds
    it cannot emulate are exactly the known ones (nothing is skipped silently)."""
    _, run = emulated
    ran = {s.kind for s, outcome in run.stack if outcome == "ran"}
    parsed = {s.kind for s, outcome in run.stack if outcome == "parsed"}
    assert ran == EMULATED
    assert parsed == NOT_EMULATED
    order = [s.resource for s, _ in run.stack]
    assert order.index("warehouse-database") < order.index("warehouse-schema-bronze")
    assert order.index("ingestion-csv-format") < order.index("ingestion-stage-customers")


def _parses(sql: str) -> bool:
    inner = scripting_statements(sql)
    if inner is not None:  # a Snowflake Scripting block: every statement in it
        return bool(inner) and all(_parses(s) for s in inner)
    text = flatten(sql)
    if any(p.match(text) for p in SNOWFLAKE_COMMANDS.values()):
        return True
    tree = sqlglot.parse_one(sql.strip().rstrip(";"), read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)
    return not isinstance(tree, sqlglot.exp.Command)


def test_every_statement_the_stack_and_the_lifecycle_send_parses_as_snowflake_sql(
    emulated: tuple[DeployGraph, EmulatorRun],
) -> None:
    graph, run = emulated
    authored = [s.authored for s, _ in run.stack if s.authored]
    # the pipe, five tasks, the dbt project, the monitor attachment, ten alert actions, the shared view
    assert len(authored) == 19
    recorded = [s for statements in run.steps.values() for s in statements]
    ops = step_operations(run.steps, database=names.DATABASE, warehouse=names.WAREHOUSE)
    static = [op.statement for step in ("churn_model", "semantic_model") for op in ops[step]]
    stage_files = [s for node in graph.of_type("StageFiles") for s in stage_file_statements(node)]
    unparsed = [s for s in [*authored, *recorded, *static, *stage_files] if not _parses(s)]
    assert unparsed == []


def test_a_task_body_is_checked_as_its_owner_at_run_time(rehearsed: Rehearsed) -> None:
    bodies = [c for c in rehearsed.rehearsal.checks if c.operation.verb.startswith("task body")]
    assert len(bodies) == 5 and {c.role for c in bodies} == {"SYSADMIN"}
    refresh = [c for c in bodies if "execute dbt project" in c.operation.statement.lower()]
    assert [n.describe() for n in refresh[0].operation.needs if n.rule == "execute_dbt_project"] == [
        f"USAGE on DBT PROJECT {names.DATABASE}.{names.BRONZE}.{names.DBT_PROJECT}"
    ]


def test_statement_analysis_names_the_privileges_snowflake_checks() -> None:
    copy = analyze(
        "copy into CUSTOMER_ANALYTICS.BRONZE.T (a) from (select $1 from @CUSTOMER_ANALYTICS.BRONZE.S) "
        "file_format = (format_name = 'CUSTOMER_ANALYTICS.BRONZE.F')",
        database="CUSTOMER_ANALYTICS",
        warehouse="WH",
    )
    assert {n.describe() for n in copy.needs} >= {
        "INSERT on RELATION CUSTOMER_ANALYTICS.BRONZE.T",
        "READ on STAGE CUSTOMER_ANALYTICS.BRONZE.S",
        "USAGE on FILE FORMAT CUSTOMER_ANALYTICS.BRONZE.F",
        "USAGE on WAREHOUSE WH",
    }
    put = analyze(
        "put 'file:///x/a.py' @CUSTOMER_ANALYTICS.GOLD.APP_STAGE/c360_app/ overwrite = true",
        database="CUSTOMER_ANALYTICS",
    )
    assert "WRITE on STAGE CUSTOMER_ANALYTICS.GOLD.APP_STAGE" in {n.describe() for n in put.needs}
    attach = analyze("alter warehouse C360_WH set resource_monitor = C360_WH_MONITOR", database="X")
    assert "the ACCOUNTADMIN role" in {n.describe() for n in attach.needs}
    with pytest.raises(ValueError, match="no privilege rule"):
        analyze("create sequence CUSTOMER_ANALYTICS.BRONZE.SEQ", database="CUSTOMER_ANALYTICS")


def test_rehearsal_report_is_written_for_the_record(rehearsed: Rehearsed, tmp_path: Path) -> None:
    path = tmp_path / f"rehearsal-{rehearsed.stack}.txt"
    path.write_text(rehearsed.text)
    assert rehearsed.text.startswith(f"DEPLOY REHEARSAL stack={rehearsed.stack}")


def test_alert_conditions_and_actions_are_checked_as_their_owner_on_schedule(rehearsed: Rehearsed) -> None:
    """Issue 16: every ALERT's condition and Scripting action, statement by statement, as the objects role."""
    checks = [c for c in rehearsed.rehearsal.checks if c.operation.verb.startswith("alert ")]
    assert len(checks) == 20 and {c.role for c in checks} == {"SYSADMIN"}
    needs = {n.describe() for c in checks for n in c.operation.needs}
    events = f"{names.DATABASE}.{names.OBSERVABILITY}.ALERT_EVENTS"
    assert {
        f"INSERT on RELATION {events}",
        f"UPDATE on RELATION {events}",
        "USAGE on INTEGRATION C360_ALERT_EMAIL",
        "USAGE on INTEGRATION C360_ALERT_PAGE",
        "MONITOR USAGE on the account",
    } <= needs


@pytest.mark.parametrize(
    ("dropped", "expected"),
    [
        ("alerting-owner-email-usage", "USAGE on INTEGRATION C360_ALERT_EMAIL"),
        ("alerting-owner-account", "EXECUTE ALERT on the account"),
        ("governance-apply-email", f"APPLY on MASKING POLICY {names.DATABASE}.OBSERVABILITY.C360_PII_EMAIL"),
        ("governance-policy-email", f"MASKING POLICY {names.DATABASE}.OBSERVABILITY.C360_PII_EMAIL to exist"),
    ],
)
def test_the_rehearsal_catches_a_missing_alerting_or_masking_privilege(
    rehearsed: Rehearsed, dropped: str, expected: str
) -> None:
    """Without the grant (or the policy) the deployment would fail: the privilege table says where."""
    graph = DeployGraph([n for n in rehearsed.graph.nodes if n.name != dropped])
    found = Rehearsal(
        graph=graph,
        deploy_user=rehearsed.rehearsal.deploy_user,
        lifecycle_user=rehearsed.rehearsal.lifecycle_user,
        lifecycle_role=LIFECYCLE_ROLE,
        lifecycle_warehouse=names.WAREHOUSE,
        database=names.DATABASE,
        step_operations=rehearsed.rehearsal.step_operations,
        stage_file_statements=stage_file_statements,
    ).run()
    assert expected in {f.need for f in found}, [f.line() for f in found]
