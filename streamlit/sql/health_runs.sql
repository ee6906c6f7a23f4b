-- The most recent pipeline runs (c360 up, dbt builds, pipe loads, model training), newest first.
select
    run_id,
    run_type,
    status,
    started_at,
    finished_at,
    duration_seconds,
    rows_affected,
    models_run,
    models_failed,
    error_message
from customer_analytics.observability.pipeline_run_metadata
order by started_at desc, run_id desc
limit 50
