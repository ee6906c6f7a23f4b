-- Open alert events (at most one per rule), critical first.
select
    event_id,
    rule_name,
    severity,
    fired_at,
    observed_value,
    threshold,
    last_value,
    last_evaluated_at,
    resolved_at
from OBSERVABILITY.ALERT_EVENTS
where resolved_at is null
order by case severity when 'critical' then 0 when 'warning' then 1 else 2 end, fired_at
