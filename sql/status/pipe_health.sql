-- Pipe health for `c360 status` and the app's Pipeline Health tab: the last hour and all time.
-- Parameters: the start of the last hour (twice). Latencies in seconds from the object's landing
-- (its event time) to bronze (the file's commit) and to gold (the refresh that included it was visible).
with loads as (
    select
        *,
        date_diff('millisecond', landed_at, loaded_at) / 1000.0 as to_bronze_s,
        date_diff('millisecond', landed_at, gold_refreshed_at) / 1000.0 as to_gold_s
    from OBSERVABILITY.LOAD_HISTORY
    where table_name = 'BRONZE.BRONZE_TRANSACTIONS' and file_name not like 'generator:%'
),

windows as (
    select 'last hour' as window_name, * from loads where loaded_at >= ?
    union all
    select 'all time' as window_name, * from loads
),

pipe_failures as (
    select 'last hour' as window_name, count(*) as failed_runs
    from OBSERVABILITY.PIPELINE_RUN_METADATA
    where run_type = 'pipe' and status = 'FAILED' and started_at >= ?
    union all
    select 'all time', count(*)
    from OBSERVABILITY.PIPELINE_RUN_METADATA
    where run_type = 'pipe' and status = 'FAILED'
),

summary as (
    select
        window_name,
        count(*) filter (where status not in ('SKIPPED_DUPLICATE')) as files,
        cast(coalesce(sum(rows_in_file), 0) as bigint) as rows_in_files,
        cast(coalesce(sum(rows_loaded), 0) as bigint) as rows_loaded,
        cast(coalesce(sum(rows_quarantined), 0) as bigint) as rows_quarantined,
        count(*) filter (where status = 'SKIPPED_DUPLICATE') as duplicate_deliveries,
        count(*) filter (where status in ('LOAD_FAILED', 'FILE_MISSING')) as failed_files,
        round(avg(case when status <> 'SKIPPED_DUPLICATE' then to_bronze_s end), 3) as avg_landing_to_bronze_s,
        round(avg(to_gold_s), 3) as avg_landing_to_gold_s,
        round(quantile_cont(to_gold_s, 0.95), 3) as p95_landing_to_gold_s,
        max(loaded_at) as last_load_at
    from windows
    group by window_name
)

select
    w.window_name as time_window,
    coalesce(s.files, 0) as files,
    coalesce(s.rows_in_files, 0) as rows_in_files,
    coalesce(s.rows_loaded, 0) as rows_loaded,
    coalesce(s.rows_quarantined, 0) as rows_quarantined,
    coalesce(s.duplicate_deliveries, 0) as duplicate_deliveries,
    coalesce(s.failed_files, 0) as failed_files,
    f.failed_runs as failed_pipe_runs,
    s.avg_landing_to_bronze_s,
    s.avg_landing_to_gold_s,
    s.p95_landing_to_gold_s,
    s.last_load_at
from (values ('last hour', 1), ('all time', 2)) as w (window_name, position)
left join summary as s on s.window_name = w.window_name
left join pipe_failures as f on f.window_name = w.window_name
order by w.position
