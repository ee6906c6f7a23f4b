-- Alert events open now or fired or resolved in the last 7 days, newest first.
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
    or fired_at >= cast(current_timestamp as timestamp) - interval '7 days'
    or resolved_at >= cast(current_timestamp as timestamp) - interval '7 days'
order by fired_at desc
limit 200
