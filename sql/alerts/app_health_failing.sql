-- Alert app_health_failing (critical): app health checks that failed since the last healthy one
-- (OBSERVABILITY.APP_HEALTH_CHECKS); fires at three in a row.
with last_healthy as (
    select max(checked_at) as checked_at
    from OBSERVABILITY.APP_HEALTH_CHECKS
    where is_healthy
)

select count(*) as observed_value
from OBSERVABILITY.APP_HEALTH_CHECKS as c
cross join last_healthy as h
where not c.is_healthy
    and (h.checked_at is null or c.checked_at > h.checked_at)
