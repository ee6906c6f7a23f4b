-- A rule is no longer breached: resolve its open event. Parameters: resolved at, value, evaluated at, event id.
update OBSERVABILITY.ALERT_EVENTS
set resolved_at = ?, last_value = ?, last_evaluated_at = ?
where event_id = ? and resolved_at is null
