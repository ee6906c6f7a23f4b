-- Alert landing_to_gold_latency (warning), Snowflake spelling of the date difference (see the DuckDB file).
select
    avg(
        datediff(second, landed_at, coalesce(gold_refreshed_at, cast(current_timestamp as timestamp)))
    ) as observed_value
from OBSERVABILITY.LOAD_HISTORY
where table_name = 'BRONZE.BRONZE_TRANSACTIONS'
    and file_name not like 'generator:%'
    and rows_loaded > 0
    and loaded_at >= cast(current_timestamp as timestamp) - interval '1 hour'
