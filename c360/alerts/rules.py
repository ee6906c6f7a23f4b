"""The alert rules — the one definition both targets use (seed 001 §10.5, docs/runbooks/alerts.md).

Each rule's condition is a SQL file, sql/alerts/<name>.sql (with a `.snowflake.sql` twin only where the
engines spell a function differently), over the OBSERVABILITY tables. It returns one row with one column,
`observed_value` (or no row / NULL: nothing to judge yet); the rule fires when the value is above its
threshold and resolves when it no longer is. Locally c360/alerts/evaluation.py runs the file after every
`c360 up`, streamed batch, `c360 ingest` and `c360 train`; on Snowflake each rule is an ALERT object that runs
the same file on the rule's schedule (c360/alerts/snowflake.py). Either way a firing is one row in
OBSERVABILITY.ALERT_EVENTS (fired when, value, threshold, resolved when) and a notification to the
severity's audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from c360.sqlfiles import load_sql


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Route:
    """Who hears about a severity, through which channels, and how soon they should act."""

    audience: str
    channels: tuple[str, ...]  # email | page (the SNS topic the stack declares)
    respond_within: str
    schedule_minutes: int  # how often the Snowflake ALERT objects of this severity run


ROUTES: Final[dict[Severity, Route]] = {
    Severity.CRITICAL: Route("data-platform on-call", ("page", "email"), "immediately", 5),
    Severity.WARNING: Route("data engineering team", ("email",), "4 hours", 15),
    Severity.INFO: Route("data team daily review", ("email",), "next business day", 60),
}


@dataclass(frozen=True)
class AlertRule:
    name: str  # sql/alerts/<name>.sql; the ALERT object is C360_ALERT_<NAME>
    severity: Severity
    title: str  # one line: what is wrong
    threshold: float  # fires when observed_value > threshold
    unit: str

    @property
    def object_name(self) -> str:
        return f"C360_ALERT_{self.name.upper()}"

    @property
    def route(self) -> Route:
        return ROUTES[self.severity]

    @property
    def schedule_minutes(self) -> int:
        return self.route.schedule_minutes

    @property
    def runbook(self) -> str:
        return f"docs/runbooks/alerts.md#{self.name}"  # the section heading is the rule name

    def condition_sql(self, dialect: str) -> str:
        return load_sql(f"alerts/{self.name}", dialect)

    def describe(self, value: float | None) -> str:
        shown = "n/a" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")
        return f"{self.title}: {shown} {self.unit} (threshold > {self.threshold:g} {self.unit})"


RULES: Final[tuple[AlertRule, ...]] = (
    # ---- critical: act now -------------------------------------------------------------------------
    AlertRule(
        "pipe_failure_rate",
        Severity.CRITICAL,
        "streaming files whose latest load in the last hour failed",
        10.0,
        "% of files",
    ),
    AlertRule(
        "gold_model_failed",
        Severity.CRITICAL,
        "gold models failed or skipped in their latest run",
        0,
        "models",
    ),
    AlertRule("app_health_failing", Severity.CRITICAL, "app health checks failed in a row", 2, "checks"),
    AlertRule("churn_scoring_failed", Severity.CRITICAL, "the latest churn scoring run failed", 0, "runs"),
    # ---- warning: review within 4 hours ------------------------------------------------------------------
    AlertRule(
        "duplicate_rate",
        Severity.WARNING,
        "duplicate transactions in the latest hourly batch",
        5.0,
        "% of rows",
    ),
    AlertRule(
        "landing_to_gold_latency",
        Severity.WARNING,
        "average landing -> gold latency of the last hour's files",
        900,
        "seconds",
    ),
    AlertRule(
        "dashboard_query_slow", Severity.WARNING, "slowest dashboard query in the last hour", 10, "seconds"
    ),
    # ---- informational: daily review -------------------------------------------------------------------
    AlertRule(
        "dbt_test_warnings", Severity.INFO, "dbt tests that warned or failed in their latest run", 0, "tests"
    ),
    AlertRule("segment_shift", Severity.INFO, "customers who changed segment in the latest build", 10.0, "%"),
    AlertRule(
        "warehouse_credits",
        Severity.INFO,
        "warehouse credits over the last 24 hours",
        33.0,  # ~ $100 a day at ~$3 a credit
        "credits",
    ),
)
RULES_BY_NAME: Final = {rule.name: rule for rule in RULES}
