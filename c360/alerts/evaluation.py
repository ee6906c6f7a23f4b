"""Local alert evaluation: run every rule's SQL, record firings and resolutions, notify.

`evaluate_rules(session)` is the state machine both targets share (the Snowflake ALERT action in
c360/alerts/snowflake.py performs the same transitions): per rule, with at most one open event,
  breached and nothing open  -> FIRED: a new OBSERVABILITY.ALERT_EVENTS row, a notification;
  breached and open          -> the open row's latest value and evaluation time are updated (no new firing);
  not breached and open      -> RESOLVED: resolved_at is set, a notification;
  no value (nothing to judge) -> treated as not breached.
A rule whose SQL fails is reported (never silently skipped) and its open event, if any, stays as it was.

`after_writer_run(settings, session)` is what `c360 up`, every streamed batch, `c360 ingest` and `c360 train`
call before their last publish (a streamed batch publishes its refreshed gold first): it loads the app's health-check log, evaluates, appends the notifications to the
local outbox ($C360_HOME/alerts/outbox.jsonl — the local twin of the e-mail and the page) and writes
$C360_HOME/alerts/open.json, the open alerts as of this evaluation. A failed run publishes nothing to readers,
so `c360 status` reads open.json for what is open now (and the table for the history).
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd

from c360.alerts.rules import RULES, RULES_BY_NAME, AlertRule, Severity
from c360.config import Settings, Target
from c360.engines.base import WarehouseSession
from c360.engines.duckdb import DuckDBSession
from c360.errors import C360Error
from c360.files import write_text_atomically
from c360.observability import now
from c360.sqlfiles import load_sql
from c360.values import as_float

log = logging.getLogger(__name__)

ALERTS_DIR: Final = "alerts"
OUTBOX_FILE: Final = "outbox.jsonl"
OPEN_FILE: Final = "open.json"
_LOG_LEVEL: Final = {
    Severity.CRITICAL: logging.ERROR,
    Severity.WARNING: logging.WARNING,
    Severity.INFO: logging.INFO,
}


@dataclass(frozen=True)
class Observation:
    rule: AlertRule
    value: float | None
    error: str | None = None

    @property
    def breached(self) -> bool:
        return self.error is None and self.value is not None and self.value > self.rule.threshold


@dataclass(frozen=True)
class AlertEvent:
    event_id: str
    rule_name: str
    severity: str
    fired_at: datetime
    observed_value: float | None
    threshold: float
    last_value: float | None
    last_evaluated_at: datetime | None
    resolved_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def rule(self) -> AlertRule | None:
        return RULES_BY_NAME.get(self.rule_name)

    def message(self) -> str:
        rule = self.rule
        value = self.last_value if self.last_value is not None else self.observed_value
        if rule is None:
            return f"{self.rule_name}: {value} (threshold > {self.threshold:g})"
        return rule.describe(value)

    def as_dict(self) -> dict[str, object]:
        rule = self.rule
        return {
            **{k: (v.isoformat(sep=" ") if isinstance(v, datetime) else v) for k, v in asdict(self).items()},
            "message": self.message(),
            "runbook": rule.runbook if rule else None,
        }


@dataclass
class AlertEvaluation:
    evaluated_at: datetime
    observations: list[Observation] = field(default_factory=list)
    fired: list[AlertEvent] = field(default_factory=list)
    resolved: list[AlertEvent] = field(default_factory=list)
    open: list[AlertEvent] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [f"{o.rule.name}: {o.error}" for o in self.observations if o.error]

    @property
    def critical_open(self) -> list[AlertEvent]:
        return [e for e in self.open if e.severity == Severity.CRITICAL.value]

    def as_dict(self) -> dict[str, object]:
        return {
            "evaluated_at": self.evaluated_at.isoformat(sep=" "),
            "open": [e.as_dict() for e in self.open],
            "fired": [e.rule_name for e in self.fired],
            "resolved": [e.rule_name for e in self.resolved],
            "errors": self.errors,
        }


def ensure_alert_tables(session: WarehouseSession) -> None:
    """Idempotent; once per local session (DuckDBSession.run_script_once): it runs before every batch's
    evaluation."""
    sql = load_sql("ddl/alerts", session.dialect)
    if isinstance(session, DuckDBSession):
        session.run_script_once("ddl/alerts", sql)
    else:
        session.run_script(sql)


def observe(session: WarehouseSession, rule: AlertRule) -> Observation:
    try:
        value = session.scalar(rule.condition_sql(session.dialect))
    except C360Error as exc:
        return Observation(rule, None, str(exc).splitlines()[0])
    number = None if value is None or value is pd.NA or value is pd.NaT else as_float(value)
    return Observation(rule, None if number is None or math.isnan(number) else number)


def open_events(session: WarehouseSession) -> list[AlertEvent]:
    return _events(session.query(load_sql("alerts/open_events", session.dialect)))


def recent_events(session: WarehouseSession) -> list[AlertEvent]:
    """Events open now or fired / resolved in the last 7 days, newest first."""
    return _events(session.query(load_sql("alerts/recent_events", session.dialect)))


def evaluate_rules(
    session: WarehouseSession, rules: Sequence[AlertRule] = RULES, *, at: datetime | None = None
) -> AlertEvaluation:
    """Run every rule once and record what changed (one transaction)."""
    ensure_alert_tables(session)
    evaluation = AlertEvaluation(at or now())
    evaluation.observations = [observe(session, rule) for rule in rules]
    when = evaluation.evaluated_at
    with session.transaction():
        current = {e.rule_name: e for e in open_events(session)}
        for obs in evaluation.observations:
            if obs.error is not None:
                log.warning("alert rule %s could not be evaluated: %s", obs.rule.name, obs.error)
                continue
            event = current.get(obs.rule.name)
            if obs.breached and event is None:
                fired = AlertEvent(
                    f"alert-{uuid.uuid4().hex[:12]}",
                    obs.rule.name,
                    obs.rule.severity.value,
                    when,
                    obs.value,
                    obs.rule.threshold,
                    obs.value,
                    when,
                )
                session.execute(
                    load_sql("alerts/fire"),
                    [
                        fired.event_id,
                        fired.rule_name,
                        fired.severity,
                        when,
                        obs.value,
                        obs.rule.threshold,
                        obs.value,
                        when,
                        ",".join(obs.rule.route.channels),
                    ],
                )
                evaluation.fired.append(fired)
            elif obs.breached and event is not None:
                session.execute(load_sql("alerts/observe_open"), [obs.value, when, event.event_id])
            elif event is not None:
                session.execute(load_sql("alerts/resolve"), [when, obs.value, when, event.event_id])
                evaluation.resolved.append(
                    AlertEvent(**{**asdict(event), "resolved_at": when, "last_value": obs.value})
                )
        evaluation.open = open_events(session)
    return evaluation


# ---- the local notification channel -----------------------------------------------------------------


def alerts_dir(settings: Settings) -> Path:
    return settings.home / ALERTS_DIR


def notify(settings: Settings, evaluation: AlertEvaluation) -> None:
    """Log each transition and append it to the local outbox; write the open alerts to open.json."""
    folder = alerts_dir(settings)
    lines = []
    for state, events in (("FIRED", evaluation.fired), ("RESOLVED", evaluation.resolved)):
        for event in events:
            rule = event.rule
            severity = Severity(event.severity)
            level = _LOG_LEVEL[severity] if state == "FIRED" else logging.INFO
            log.log(level, "%s %s alert %s — %s", state, severity.value, event.rule_name, event.message())
            lines.append(
                json.dumps(
                    {
                        "state": state,
                        "at": evaluation.evaluated_at.isoformat(sep=" "),
                        "rule": event.rule_name,
                        "severity": severity.value,
                        "audience": rule.route.audience if rule else None,
                        "channels": list(rule.route.channels) if rule else [],
                        "message": event.message(),
                        "runbook": rule.runbook if rule else None,
                        "event_id": event.event_id,
                    }
                )
            )
    folder.mkdir(parents=True, exist_ok=True)
    if lines:
        with (folder / OUTBOX_FILE).open("a", encoding="utf-8") as outbox:
            outbox.write("\n".join(lines) + "\n")
    write_text_atomically(folder / OPEN_FILE, json.dumps(evaluation.as_dict(), indent=2) + "\n")


def last_evaluation(settings: Settings) -> dict[str, Any] | None:
    """open.json as the last local evaluation wrote it (AlertEvaluation.as_dict), or None."""
    try:
        return dict(json.loads((alerts_dir(settings) / OPEN_FILE).read_text()))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def after_writer_run(settings: Settings, session: WarehouseSession) -> AlertEvaluation | None:
    """Evaluate the rules at the end of a local writer run (success or failure). Never raises: a broken
    alert evaluation is logged and must not hide or fail the run itself. On Snowflake the ALERT objects
    evaluate the same rules on their schedule, so nothing runs here."""
    if settings.target is not Target.local:
        return None
    from c360.app_health import load_health_checks

    try:
        load_health_checks(session, settings)
        evaluation = evaluate_rules(session)
        notify(settings, evaluation)
    except Exception as exc:  # alerting must never hide or fail the run it follows
        log.warning("alert evaluation failed (%s): %s", type(exc).__name__, exc)
        return None
    return evaluation


def _events(frame: pd.DataFrame) -> list[AlertEvent]:
    def value(v: object) -> object:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, pd.Timestamp):
            return v.to_pydatetime()
        return v

    fields = AlertEvent.__dataclass_fields__
    return [
        AlertEvent(**{k: value(row[k]) for k in fields})  # type: ignore[arg-type]  # typed by the table's columns
        for row in frame.to_dict("records")
    ]
