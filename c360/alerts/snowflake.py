"""The alert rules rendered as Snowflake ALERT objects (components/alerting.py declares them).

CREATE ALERT runs its condition on a schedule and the action when the condition returns a row
(https://docs.snowflake.com/en/sql-reference/sql/create-alert). Each rule becomes:
- condition: a row when the rule's SQL (sql/alerts/<name>[.snowflake].sql, the file the local evaluator runs)
  is above the threshold, or when the rule has an open event (so the action can resolve it);
- action: a Snowflake Scripting block doing what c360/alerts/evaluation.py does locally — fire once (insert
  the event, e-mail the severity's recipients through the e-mail notification integration, and for critical
  rules publish to the SNS topic for pages), keep an open event's latest value, or resolve it
  (https://docs.snowflake.com/en/developer-guide/snowflake-scripting/blocks; SYSTEM$SEND_EMAIL:
  https://docs.snowflake.com/en/sql-reference/stored-procedures/system_send_email;
  SYSTEM$SEND_SNOWFLAKE_NOTIFICATION: https://docs.snowflake.com/en/sql-reference/stored-procedures/system_send_snowflake_notification).
Names and SQL come from the definition; recipients are validated e-mail addresses; nothing from users.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import sqlglot
from sqlglot import exp

from c360 import names
from c360.alerts.rules import AlertRule, Severity

EMAIL_INTEGRATION: Final = "C360_ALERT_EMAIL"
PAGE_INTEGRATION: Final = "C360_ALERT_PAGE"
EVENTS_TABLE: Final = f"{names.DATABASE}.{names.OBSERVABILITY}.ALERT_EVENTS"
_EMAIL: Final = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class AlertRouting:
    """Where notifications go on Snowflake: e-mail recipients per severity (stack config) and the page
    integration for critical rules (None: no page)."""

    recipients: Mapping[Severity, tuple[str, ...]] = field(default_factory=dict)
    email_integration: str = EMAIL_INTEGRATION
    page_integration: str | None = PAGE_INTEGRATION

    def __post_init__(self) -> None:
        for severity, addresses in self.recipients.items():
            bad = [a for a in addresses if not _EMAIL.match(a)]
            if bad:
                raise ValueError(f"{severity.value} alert recipients are not e-mail addresses: {bad}")

    @property
    def all_recipients(self) -> tuple[str, ...]:
        return tuple(sorted({a for addresses in self.recipients.values() for a in addresses}))


def qualified_condition_sql(rule: AlertRule) -> str:
    """The rule's Snowflake SQL with every SCHEMA.TABLE qualified by the database (an alert's statements are
    not guaranteed the database of the alert as their current database)."""
    tree = sqlglot.parse_one(rule.condition_sql("snowflake"), read="snowflake")
    for table in tree.find_all(exp.Table):
        if table.db and not table.catalog:
            table.set("catalog", exp.to_identifier(names.DATABASE))
    return tree.sql(dialect="snowflake", comments=False)


def condition(rule: AlertRule) -> str:
    return (
        f"select 1 from ({qualified_condition_sql(rule)}) as c where c.observed_value > {rule.threshold!r} "
        f"union all select 1 from {EVENTS_TABLE} where rule_name = '{rule.name}' and resolved_at is null"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def action(rule: AlertRule, routing: AlertRouting) -> str:
    """EXECUTE IMMEDIATE of the Snowflake Scripting block that records and notifies (one statement)."""
    now = "current_timestamp()::timestamp_ntz"
    where_open = f"rule_name = '{rule.name}' and resolved_at is null"
    subject = _literal(f"[c360 {rule.severity.value.upper()}] {rule.name}: {rule.title}")
    notify = []
    recipients = routing.recipients.get(rule.severity, ())
    if recipients:
        notify.append(
            f"call system$send_email('{routing.email_integration}', {_literal(', '.join(recipients))}, "
            f"{subject}, :message);"
        )
    if rule.severity is Severity.CRITICAL and routing.page_integration:
        notify.append(
            "call system$send_snowflake_notification(snowflake.notification.text_plain(:message), "
            f"snowflake.notification.integration('{routing.page_integration}'));"
        )
    lines = [
        "execute immediate $$",
        "declare",
        "    observed float;",
        "    open_events integer;",
        "    message varchar;",
        "begin",
        f"    select max(observed_value) into :observed from ({qualified_condition_sql(rule)}) as c;",
        f"    select count(*) into :open_events from {EVENTS_TABLE} where {where_open};",
        f"    if (observed > {rule.threshold!r}) then",
        "        if (open_events = 0) then",
        f"            insert into {EVENTS_TABLE} (event_id, rule_name, severity, fired_at, observed_value, "
        "threshold, last_value, last_evaluated_at, notified) "
        f"select uuid_string(), '{rule.name}', '{rule.severity.value}', {now}, :observed, {rule.threshold!r}, "
        f""":observed, {now}, '{",".join(rule.route.channels)}';""",
        f"            message := {_literal(rule.title + ': ')} || to_varchar(:observed) || "
        f"{_literal(f' {rule.unit} (threshold > {rule.threshold:g}); runbook {rule.runbook}')};",
        *(f"            {line}" for line in notify),
        "        else",
        f"            update {EVENTS_TABLE} set last_value = :observed, last_evaluated_at = {now} "
        f"where {where_open};",
        "        end if;",
        "    else",
        f"        update {EVENTS_TABLE} set resolved_at = {now}, last_value = :observed, "
        f"last_evaluated_at = {now} where {where_open};",
        "    end if;",
        "end;",
        "$$",
    ]
    return "\n".join(lines)
