-- Alert pipe_failure_rate (critical): of the streaming files loaded in the last hour, the % whose latest load
-- failed (LOAD_FAILED or FILE_MISSING). A file fixed and loaded again counts by its latest load.
with recent as (
    select
        file_name,
        status
    from OBSERVABILITY.LOAD_HISTORY
    where table_name = 'BRONZE.BRONZE_TRANSACTIONS'
        and file_name not like 'generator:%'
        and status <> 'SKIPPED_DUPLICATE'
        and loaded_at >= cast(current_timestamp as timestamp) - interval '1 hour'
    qualify row_number() over (partition by file_name order by loaded_at desc) = 1
)

select
    100.0 * sum(case when status in ('LOAD_FAILED', 'FILE_MISSING') then 1 else 0 end)
        / nullif(count(*), 0) as observed_value
from recent
