-- Streaming pipe summary over every file load: files, rows, duplicates, failures, landing latencies (s).
with loads as (
    select
        *,
        date_diff('millisecond', landed_at, loaded_at) / 1000.0 as to_bronze_s,
        date_diff('millisecond', landed_at, gold_refreshed_at) / 1000.0 as to_gold_s
    from customer_analytics.observability.load_history
    where table_name = 'BRONZE.BRONZE_TRANSACTIONS' and file_name not like 'generator:%'
)

select
    sum(case when status <> 'SKIPPED_DUPLICATE' then 1 else 0 end) as files,
    coalesce(sum(rows_in_file), 0) as rows_in_files,
    coalesce(sum(rows_loaded), 0) as rows_loaded,
    coalesce(sum(rows_quarantined), 0) as rows_quarantined,
    sum(case when status = 'SKIPPED_DUPLICATE' then 1 else 0 end) as duplicate_deliveries,
    sum(case when status in ('LOAD_FAILED', 'FILE_MISSING') then 1 else 0 end) as failed_files,
    avg(case when status <> 'SKIPPED_DUPLICATE' then to_bronze_s end) as avg_landing_to_bronze_s,
    percentile_cont(0.95) within group (order by to_bronze_s) as p95_landing_to_bronze_s,
    avg(to_gold_s) as avg_landing_to_gold_s,
    percentile_cont(0.95) within group (order by to_gold_s) as p95_landing_to_gold_s,
    max(loaded_at) as last_load_at,
    max(gold_refreshed_at) as last_gold_refresh_at
from loads
