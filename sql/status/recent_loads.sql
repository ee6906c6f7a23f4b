-- The most recent streaming file loads (newest first).
select
    file_name,
    status,
    rows_in_file,
    rows_loaded,
    rows_quarantined,
    landed_at,
    round(date_diff('millisecond', landed_at, loaded_at) / 1000.0, 3) as landing_to_bronze_s,
    round(date_diff('millisecond', landed_at, gold_refreshed_at) / 1000.0, 3) as landing_to_gold_s,
    first_error
from OBSERVABILITY.LOAD_HISTORY
where table_name = 'BRONZE.BRONZE_TRANSACTIONS' and file_name not like 'generator:%'
order by loaded_at desc
limit 10
