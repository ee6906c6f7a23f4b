-- A rule is still breached: keep its open event's latest value. Parameters: value, evaluated at, event id.
update OBSERVABILITY.ALERT_EVENTS
set last_value = ?, last_evaluated_at = ?
where event_id = ? and resolved_at is null
