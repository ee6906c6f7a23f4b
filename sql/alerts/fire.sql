-- A rule fired: its one open event. Parameters: event id, rule, severity, fired at, value, threshold, last value,
-- last evaluated at, channels notified.
insert into OBSERVABILITY.ALERT_EVENTS (
    event_id, rule_name, severity, fired_at, observed_value, threshold, last_value, last_evaluated_at, notified
)
values (?, ?, ?, ?, ?, ?, ?, ?, ?)
