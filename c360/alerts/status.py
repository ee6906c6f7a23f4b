"""What `c360 status` and the app say about alerts: open now, and fired or resolved in the last 7 days."""

from __future__ import annotations

from dataclasses import dataclass, field

from c360.alerts.evaluation import last_evaluation, open_events, recent_events
from c360.alerts.rules import Severity
from c360.config import Settings, Target
from c360.engines.base import WarehouseSession
from c360.errors import C360Error


@dataclass(frozen=True)
class AlertStatus:
    open: list[dict[str, object]] = field(default_factory=list)
    recent: list[dict[str, object]] = field(default_factory=list)
    evaluated_at: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def critical_open(self) -> list[dict[str, object]]:
        return [e for e in self.open if e.get("severity") == Severity.CRITICAL.value]

    def as_dict(self) -> dict[str, object]:
        return {
            "open": self.open,
            "critical_open": len(self.critical_open),
            "recent": self.recent,
            "evaluated_at": self.evaluated_at,
            "errors": self.errors,
        }


def alert_status(settings: Settings, session: WarehouseSession) -> AlertStatus:
    """Open alerts as of the latest evaluation — locally the evaluator's own record ($C360_HOME/alerts/
    open.json), which a failed run writes too although it publishes nothing; on Snowflake the table the
    ALERT objects keep — and the last 7 days of events from OBSERVABILITY.ALERT_EVENTS."""
    errors: list[str] = []
    try:
        recent = [e.as_dict() for e in recent_events(session)]
        table_open = [e.as_dict() for e in open_events(session)]
    except C360Error as exc:
        recent, table_open = [], []
        errors.append(f"OBSERVABILITY.ALERT_EVENTS unreadable: {str(exc).splitlines()[0]}")
    last = last_evaluation(settings) if settings.target is Target.local else None
    if last is None:
        return AlertStatus(table_open, recent, None, errors)
    return AlertStatus(
        list(last.get("open") or []),
        recent,
        str(last.get("evaluated_at")),
        errors + list(last.get("errors") or []),
    )
