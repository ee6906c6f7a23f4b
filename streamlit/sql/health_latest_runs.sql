-- The latest run of every pipeline (OBSERVABILITY.V_LATEST_PIPELINE_RUNS, seed 004).
select
    run_type,
    status,
    started_at,
    finished_at,
    duration_seconds,
    models_run,
    models_failed,
    rows_affected,
    error_message
from customer_analytics.observability.v_latest_pipeline_runs
order by started_at desc
