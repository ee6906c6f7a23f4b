-- Alert warehouse_credits (info), local estimate: the hours the platform was busy in the last 24 hours (the
-- union of every run's interval, so nested runs count once) at 1 credit an hour, what an X-Small Snowflake
-- warehouse bills for the same work. The Snowflake twin reads the warehouse's real metering history.
with runs as (
    select
        started_at,
        finished_at
    from OBSERVABILITY.PIPELINE_RUN_METADATA
    where finished_at is not null
        and finished_at >= cast(current_timestamp as timestamp) - interval '1 day'
),

ordered as (
    select
        started_at,
        finished_at,
        max(finished_at) over (order by started_at, finished_at rows between unbounded preceding and 1 preceding)
            as previous_end
    from runs
),

islands as (
    select
        started_at,
        finished_at,
        sum(case when previous_end is null or started_at > previous_end then 1 else 0 end)
            over (order by started_at, finished_at rows between unbounded preceding and current row) as island
    from ordered
),

busy as (
    select date_diff('second', min(started_at), max(finished_at)) as seconds
    from islands
    group by island
)

select coalesce(sum(seconds), 0) / 3600.0 as observed_value
from busy
