-- Alert dashboard_query_slow (warning): the slowest dashboard query of the app health checks in the last hour.
select max(query_seconds) as observed_value
from OBSERVABILITY.APP_HEALTH_CHECKS
where checked_at >= cast(current_timestamp as timestamp) - interval '1 hour'
