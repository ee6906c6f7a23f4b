-- The latest streaming file loads, newest first, with landing -> bronze and landing -> gold latency (s).
select
    file_name,
    status,
    rows_in_file,
    rows_loaded,
    rows_quarantined,
    landed_at,
    loaded_at,
    date_diff('millisecond', landed_at, loaded_at) / 1000.0 as landing_to_bronze_s,
    date_diff('millisecond', landed_at, gold_refreshed_at) / 1000.0 as landing_to_gold_s,
    first_error
from customer_analytics.observability.load_history
where table_name = 'BRONZE.BRONZE_TRANSACTIONS' and file_name not like 'generator:%'
order by loaded_at desc
limit 15
