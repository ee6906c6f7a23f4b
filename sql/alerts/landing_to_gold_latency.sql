-- Alert landing_to_gold_latency (warning): average seconds from landing to gold of the streaming files loaded
-- in the last hour; a file not in gold yet counts with its age so far (a stuck refresh raises the average).
select
    avg(
        date_diff('second', landed_at, coalesce(gold_refreshed_at, cast(current_timestamp as timestamp)))
    ) as observed_value
from OBSERVABILITY.LOAD_HISTORY
where table_name = 'BRONZE.BRONZE_TRANSACTIONS'
    and file_name not like 'generator:%'
    and rows_loaded > 0
    and loaded_at >= cast(current_timestamp as timestamp) - interval '1 hour'
