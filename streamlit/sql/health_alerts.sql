-- Alerts open now, and those fired or resolved in the last 7 days (rules: c360/alerts/rules.py), open first.
select
    rule_name,
    severity,
    case when resolved_at is null then 'open' else 'resolved' end as state,
    fired_at,
    observed_value,
    threshold,
    last_value,
    last_evaluated_at,
    resolved_at
from customer_analytics.observability.alert_events
where resolved_at is null
    or fired_at >= cast(current_timestamp as timestamp) - interval '7 days'
    or resolved_at >= cast(current_timestamp as timestamp) - interval '7 days'
order by
    case when resolved_at is null then 0 else 1 end,
    case severity when 'critical' then 0 when 'warning' then 1 else 2 end,
    fired_at desc
