"""Every alert rule's SQL on synthetic observability rows: it fires once on its condition and resolves when the
condition clears; the evaluator's state machine, notifications and the local record of open alerts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from c360.alerts.evaluation import (
    after_writer_run,
    evaluate_rules,
    last_evaluation,
    notify,
    open_events,
    recent_events,
)
from c360.alerts.rules import RULES, RULES_BY_NAME, Severity
from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.steps.provision import provision_warehouse

TXN = "BRONZE.BRONZE_TRANSACTIONS"


@pytest.fixture
def warehouse() -> DuckDBSession:
    session = DuckDBSession.in_memory()
    provision_warehouse(session)
    return session


def ago(**delta: float) -> datetime:
    # read the clock now, not at collection: the rules look back from the wall clock, and a slow suite reaches
    # this file long after it was collected (a CI run under load: 50 minutes, past the one-hour windows)
    return datetime.now().replace(microsecond=0) - timedelta(**delta)


def load(session: DuckDBSession, file_name: str, status: str, loaded: datetime, **extra: object) -> None:
    row = {
        "rows_loaded": 0 if status == "LOAD_FAILED" else 750,
        "landed_at": loaded,
        "gold_refreshed_at": None,
    }
    row.update(extra)
    session.execute(
        "insert into OBSERVABILITY.LOAD_HISTORY (load_id, file_name, table_name, status, rows_loaded, landed_at, "
        "loaded_at, gold_refreshed_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            f"{file_name}-{loaded}",
            file_name,
            TXN,
            status,
            row["rows_loaded"],
            row["landed_at"],
            loaded,
            row["gold_refreshed_at"],
        ],
    )


def node(
    session: DuckDBSession, run: str, name: str, kind: str, schema: str, status: str, at: datetime
) -> None:
    session.execute(
        "insert into OBSERVABILITY.MODEL_EXECUTION_LOG (run_id, node_id, node_name, resource_type, schema_name, "
        "status, execution_seconds, completed_at) values (?, ?, ?, ?, ?, ?, 0.1, ?)",
        [run, f"{kind}.c360.{name}", name, kind, schema, status, at],
    )


def run(
    session: DuckDBSession, run_id: str, run_type: str, status: str, started: datetime, **extra: object
) -> None:
    session.execute(
        "insert into OBSERVABILITY.PIPELINE_RUN_METADATA (run_id, run_type, started_at, finished_at, status, "
        "error_message) values (?, ?, ?, ?, ?, ?)",
        [
            run_id,
            run_type,
            started,
            extra.get("finished", started + timedelta(seconds=30)),
            status,
            extra.get("error"),
        ],
    )


def health(session: DuckDBSession, n: int, healthy: bool, at: datetime, seconds: float = 0.2) -> None:
    session.execute(
        "insert into OBSERVABILITY.APP_HEALTH_CHECKS (check_id, checked_at, is_healthy, query_seconds, detail) "
        "values (?, ?, ?, ?, 'synthetic')",
        [f"c{n}", at, healthy, seconds],
    )


def dq(session: DuckDBSession, run_id: str, at: datetime, checked: int, failed: int) -> None:
    session.execute(
        "insert into OBSERVABILITY.DATA_QUALITY_METRICS (run_id, checked_at, layer, table_name, check_type, "
        "records_checked, records_failed) values (?, ?, 'silver', 'SILVER.STG_TRANSACTIONS', 'duplicate', ?, ?)",
        [run_id, at, checked, failed],
    )


Step = Callable[[DuckDBSession], None]

# rule -> (rows that breach it, rows that clear it again)
SCENARIOS: dict[str, tuple[Step, Step]] = {
    "pipe_failure_rate": (
        lambda s: (
            load(s, "t/a.csv", "LOAD_FAILED", ago(minutes=10)),
            load(s, "t/b.csv", "LOADED", ago(minutes=9)),
        ),
        lambda s: load(s, "t/a.csv", "LOADED", ago(minutes=1)),  # fixed and loaded again
    ),
    "gold_model_failed": (
        lambda s: node(s, "dbt-1", "customer_360_profile", "model", "GOLD", "error", ago(minutes=5)),
        lambda s: node(s, "dbt-2", "customer_360_profile", "model", "GOLD", "success", ago(minutes=1)),
    ),
    "app_health_failing": (
        lambda s: [health(s, i, False, ago(minutes=10 - i)) for i in range(3)],
        lambda s: health(s, 9, True, ago(minutes=1)),
    ),
    "churn_scoring_failed": (
        lambda s: (
            run(s, "t1", "churn_train", "SUCCESS", ago(hours=2)),
            run(s, "t2", "churn_train", "FAILED", ago(minutes=5), error="TrainingDataError: no rows"),
        ),
        lambda s: run(s, "t3", "churn_train", "SUCCESS", ago(minutes=1)),
    ),
    "duplicate_rate": (
        lambda s: (
            dq(s, "d1", ago(minutes=20), 1000, 0),
            dq(s, "d2", ago(minutes=10), 1750, 50),
        ),  # 50 of 750
        lambda s: dq(s, "d3", ago(minutes=1), 2500, 50),
    ),
    "landing_to_gold_latency": (
        lambda s: load(s, "t/late.csv", "LOADED", ago(minutes=20), landed_at=ago(minutes=25)),  # not in gold
        lambda s: s.execute(
            "update OBSERVABILITY.LOAD_HISTORY set gold_refreshed_at = landed_at + interval '5 seconds'"
        ),
    ),
    "dashboard_query_slow": (
        lambda s: health(s, 1, True, ago(minutes=5), seconds=12.5),
        lambda s: s.execute(
            "update OBSERVABILITY.APP_HEALTH_CHECKS set checked_at = checked_at - interval '2 hours'"
        ),
    ),
    "dbt_test_warnings": (
        lambda s: (
            node(s, "dbt-1", "not_null_x", "test", "DBT_TEST__AUDIT", "pass", ago(minutes=5)),
            node(s, "dbt-1", "accepted_range_y", "test", "DBT_TEST__AUDIT", "warn", ago(minutes=5)),
        ),
        lambda s: node(s, "dbt-2", "accepted_range_y", "test", "DBT_TEST__AUDIT", "pass", ago(minutes=1)),
    ),
    "segment_shift": (
        lambda s: s.execute(
            "insert into OBSERVABILITY.SEGMENT_SHIFTS values ('dbt-1', ?, 1000, 150, 0.15)", [ago(minutes=5)]
        ),
        lambda s: s.execute(
            "insert into OBSERVABILITY.SEGMENT_SHIFTS values ('dbt-2', ?, 1000, 20, 0.02)", [ago(minutes=1)]
        ),
    ),
    "warehouse_credits": (
        # two overlapping runs (nested runs count once): 40 busy hours ending within the last day
        lambda s: (
            run(s, "u1", "c360_up", "SUCCESS", ago(hours=41), finished=ago(hours=1)),
            run(s, "u2", "dbt_build", "SUCCESS", ago(hours=30), finished=ago(hours=2)),
        ),
        lambda s: s.execute(
            "update OBSERVABILITY.PIPELINE_RUN_METADATA set started_at = started_at - interval '3 days', "
            "finished_at = finished_at - interval '3 days'"
        ),
    ),
}


def test_every_rule_has_a_scenario_and_an_sql_file_per_target() -> None:
    assert set(SCENARIOS) == set(RULES_BY_NAME)
    for rule in RULES:
        assert "observed_value" in rule.condition_sql("duckdb")
        assert "observed_value" in rule.condition_sql("snowflake")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_rule_fires_once_on_its_condition_and_resolves(warehouse: DuckDBSession, name: str) -> None:
    rule = RULES_BY_NAME[name]
    breach, clear = SCENARIOS[name]
    quiet = evaluate_rules(warehouse, [rule])
    assert quiet.fired == [] and quiet.open == [] and quiet.errors == []

    breach(warehouse)
    first = evaluate_rules(warehouse, [rule])
    assert [e.rule_name for e in first.fired] == [name], first.observations
    assert first.observations[0].value is not None and first.observations[0].value > rule.threshold
    again = evaluate_rules(warehouse, [rule])  # still breached: the same event stays open, nothing new fires
    assert again.fired == [] and [e.event_id for e in again.open] == [first.fired[0].event_id]

    clear(warehouse)
    resolved = evaluate_rules(warehouse, [rule])
    assert [e.rule_name for e in resolved.resolved] == [name] and resolved.open == []
    events = warehouse.query("select * from OBSERVABILITY.ALERT_EVENTS")
    assert len(events) == 1  # fired once, resolved once
    row = events.iloc[0]
    assert row.severity == rule.severity.value and row.threshold == rule.threshold
    assert row.resolved_at >= row.fired_at and row.notified == ",".join(rule.route.channels)


def test_the_app_health_rule_needs_three_failures_in_a_row(warehouse: DuckDBSession) -> None:
    rule = RULES_BY_NAME["app_health_failing"]
    health(warehouse, 1, False, ago(minutes=9))
    health(warehouse, 2, True, ago(minutes=8))
    health(warehouse, 3, False, ago(minutes=7))
    health(warehouse, 4, False, ago(minutes=6))
    assert evaluate_rules(warehouse, [rule]).fired == []
    health(warehouse, 5, False, ago(minutes=5))
    assert [e.rule_name for e in evaluate_rules(warehouse, [rule]).fired] == ["app_health_failing"]


def test_a_portfolio_too_small_to_train_on_is_not_a_scoring_failure(warehouse: DuckDBSession) -> None:
    rule = RULES_BY_NAME["churn_scoring_failed"]
    run(warehouse, "t1", "churn_train", "FAILED", ago(minutes=5), error="TrainingDataError: 562 train rows")
    assert evaluate_rules(warehouse, [rule]).fired == []
    run(warehouse, "t2", "churn_train", "FAILED", ago(minutes=1), error="C360Error: scoring failed")
    assert [e.rule_name for e in evaluate_rules(warehouse, [rule]).fired] == ["churn_scoring_failed"]


def test_a_dbt_run_that_died_before_recording_its_nodes_counts_as_a_gold_failure(
    warehouse: DuckDBSession,
) -> None:
    rule = RULES_BY_NAME["gold_model_failed"]
    run(warehouse, "dbt-9", "dbt_build", "FAILED", ago(minutes=2), error="dbt was killed")
    assert evaluate_rules(warehouse, [rule]).observations[0].value == 1


def test_a_rule_whose_sql_fails_is_reported_and_keeps_its_open_event(warehouse: DuckDBSession) -> None:
    rule = RULES_BY_NAME["segment_shift"]
    SCENARIOS["segment_shift"][0](warehouse)
    fired = evaluate_rules(warehouse, [rule]).fired
    warehouse.execute("drop table OBSERVABILITY.SEGMENT_SHIFTS")
    broken = evaluate_rules(warehouse, [rule])
    assert broken.errors and "segment_shift" in broken.errors[0]
    assert [e.event_id for e in broken.open] == [fired[0].event_id]  # not resolved by an error


def test_notifications_go_to_the_outbox_and_open_alerts_to_open_json(
    warehouse: DuckDBSession, small_settings: Settings
) -> None:
    SCENARIOS["gold_model_failed"][0](warehouse)
    SCENARIOS["segment_shift"][0](warehouse)
    evaluation = evaluate_rules(warehouse)
    notify(small_settings, evaluation)
    assert sorted(e.rule_name for e in evaluation.fired) == ["gold_model_failed", "segment_shift"]
    assert [e.rule_name for e in evaluation.critical_open] == ["gold_model_failed"]
    recorded = last_evaluation(small_settings)
    assert recorded is not None
    assert [e["rule_name"] for e in recorded["open"]] == [
        "gold_model_failed",
        "segment_shift",
    ]  # critical first
    assert recorded["open"][0]["runbook"] == "docs/runbooks/alerts.md#gold_model_failed"

    SCENARIOS["gold_model_failed"][1](warehouse)
    notify(small_settings, evaluate_rules(warehouse))
    outbox = Path(small_settings.home, "alerts", "outbox.jsonl").read_text().splitlines()
    lines = [json.loads(line) for line in outbox]
    assert [(n["state"], n["rule"]) for n in lines] == [
        ("FIRED", "gold_model_failed"),
        ("FIRED", "segment_shift"),
        ("RESOLVED", "gold_model_failed"),
    ]
    critical = lines[0]
    assert critical["severity"] == Severity.CRITICAL.value and critical["channels"] == ["page", "email"]
    assert [e.rule_name for e in open_events(warehouse)] == ["segment_shift"]
    assert {e.rule_name for e in recent_events(warehouse)} == {"gold_model_failed", "segment_shift"}


def test_after_writer_run_never_raises(small_settings: Settings) -> None:
    class Broken:
        dialect = "duckdb"

        def run_script(self, sql: str) -> None:
            raise RuntimeError("the disk is gone")

        def query(self, sql: str, params: object = ()) -> object:
            raise RuntimeError("the disk is gone")

    assert after_writer_run(small_settings, Broken()) is None  # type: ignore[arg-type]
