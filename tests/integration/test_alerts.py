"""Alerts on a built platform (a private copy of the session platform): each injected failure — a bad file
batch, a failing gold model, a failed churn scoring — fires its alert once, `c360 status` exits 2 while it is
open, and the alert resolves when the cause is fixed."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c360.alerts.evaluation import last_evaluation
from c360.cli.main import app
from c360.config import Settings
from c360.config import platform_settings as settings_of_built_platform
from c360.engines import open_session
from c360.engines.readers import open_reader
from c360.errors import C360Error
from c360.ml.local import LocalTrainer
from c360.steps.churn_model import retrain
from c360.steps.pipeline import UpReport
from c360.steps.provision import provision_warehouse
from c360.steps.streaming import DbtGoldRefresh, ingest, stream
from tests.unit.pipe_harness import csv_body, row

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture
def home(platform: UpReport, platform_settings: Settings, tmp_path: Path) -> Settings:
    target = tmp_path / "home"
    shutil.copytree(platform_settings.home, target, ignore=shutil.ignore_patterns("*.wal", ".*", "snapshots"))
    return settings_of_built_platform(Settings.load(target="local", home=target, env={}))


def open_rules(settings: Settings) -> list[str]:
    recorded = last_evaluation(settings)
    assert recorded is not None, "no alert evaluation was recorded"
    return [str(e["rule_name"]) for e in recorded["open"]]  # type: ignore[union-attr]


def outbox(settings: Settings, rule: str) -> list[str]:
    path = settings.home / "alerts" / "outbox.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [n["state"] for n in lines if n["rule"] == rule]


def events(settings: Settings, rule: str) -> list[tuple[object, object]]:
    """(fired_at, resolved_at) of the rule's events as readers see them (the published warehouse)."""
    session = open_reader(settings)
    try:
        frame = session.query(
            "select fired_at, resolved_at from OBSERVABILITY.ALERT_EVENTS where rule_name = ? order by fired_at",
            [rule],
        )
    finally:
        session.close()
    return list(frame.itertuples(index=False, name=None))


def status(settings: Settings) -> tuple[int, dict]:
    result = runner.invoke(app, ["status", "--home", str(settings.home), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_the_platform_starts_without_open_alerts(home: Settings) -> None:
    code, report = status(home)
    assert code == 0 and report["alerts"]["open"] == [], report["alerts"]


def test_a_bad_file_batch_fires_the_pipe_alert_once_and_resolves_when_the_file_is_fixed(
    home: Settings, tmp_path: Path
) -> None:
    hour = datetime.now().replace(minute=0, second=0, microsecond=0)
    batch = tmp_path / "partner_batch.csv"
    batch.write_bytes(
        b"transaction_id;customer_id\nTXSBAD0001;CUST00000001\n"
    )  # wrong delimiter: nothing loads
    report = ingest(home, [batch], clock=lambda: hour)
    assert report.files[0] is not None and report.files[0].status == "LOAD_FAILED"
    assert "pipe_failure_rate" in open_rules(home)
    code, shown = status(home)
    assert code == 2 and shown["alerts"]["critical_open"] == 1  # a cron job or CI pages on this
    text = runner.invoke(app, ["status", "--home", str(home.home)]).output
    assert "CRITICAL pipe_failure_rate" in text and "docs/runbooks/alerts.md#pipe_failure_rate" in text

    ingest(home, [batch], clock=lambda: hour)  # the same file again: skipped, still the same open alert
    assert outbox(home, "pipe_failure_rate") == ["FIRED"]

    batch.write_bytes(csv_body(row("TXSFIXED001", customer="CUST00000001")))  # the partner re-sends it fixed
    fixed = ingest(home, [batch], clock=lambda: hour)
    assert fixed.files[0] is not None and fixed.files[0].status == "LOADED"
    assert "pipe_failure_rate" not in open_rules(home)
    assert outbox(home, "pipe_failure_rate") == ["FIRED", "RESOLVED"]
    [(fired_at, resolved_at)] = events(home, "pipe_failure_rate")
    assert resolved_at is not None and resolved_at >= fired_at
    assert status(home)[0] == 0


def test_a_failing_gold_model_fires_once_and_resolves_after_the_next_good_refresh(home: Settings) -> None:
    session = open_session(home)
    try:  # the profile's churn-score source disappears: customer_360_profile fails on the next refresh
        session.execute("drop table GOLD.CHURN_PREDICTIONS")
    finally:
        session.close()
    refresh = DbtGoldRefresh()
    for _ in range(2):  # two failing batches: one alert
        with pytest.raises(C360Error):
            stream(home, batches=1, size=100, refresh_gold=refresh)
        assert "gold_model_failed" in open_rules(home)
    assert outbox(home, "gold_model_failed") == ["FIRED"]
    code, shown = status(home)
    assert code == 2
    [failed] = [e for e in shown["alerts"]["open"] if e["rule_name"] == "gold_model_failed"]
    assert failed["severity"] == "critical" and failed["observed_value"] >= 1

    session = open_session(home)
    try:
        provision_warehouse(session)  # the table is back (empty: nobody scored until the next training)
    finally:
        session.close()
    stream(home, batches=1, size=100, refresh_gold=refresh)
    refresh.close()
    assert "gold_model_failed" not in open_rules(home)
    assert outbox(home, "gold_model_failed") == ["FIRED", "RESOLVED"]
    [(_, resolved_at)] = events(home, "gold_model_failed")
    assert resolved_at is not None
    session = open_reader(home)
    try:
        log = session.query(
            "select status, count(*) as n from OBSERVABILITY.MODEL_EXECUTION_LOG "
            "where node_name = 'customer_360_profile' group by status"
        )
    finally:
        session.close()
    assert set(log["status"]) >= {"error", "success"}  # the per-node log holds both runs


def test_a_failed_churn_scoring_fires_once_and_resolves_after_the_next_scoring(
    home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: LocalTrainer, *args: object, **kwargs: object) -> object:
        raise C360Error("the scoring service is unavailable (simulated)")

    with monkeypatch.context() as patched:
        patched.setattr(LocalTrainer, "predict", broken)
        for _ in range(2):
            with pytest.raises(C360Error, match="simulated"):
                retrain(home, force=True)
    assert "churn_scoring_failed" in open_rules(home)
    assert outbox(home, "churn_scoring_failed") == ["FIRED"]
    assert status(home)[0] == 2

    result = retrain(home)
    assert result.outcome is not None and result.outcome.scoring is not None
    assert "churn_scoring_failed" not in open_rules(home)
    assert outbox(home, "churn_scoring_failed") == ["FIRED", "RESOLVED"]
    assert status(home)[0] == 0
