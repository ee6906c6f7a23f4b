-- Record a dbt invocation that failed before its on-run-start hook could (parse or connection error).
insert into OBSERVABILITY.PIPELINE_RUN_METADATA (
    run_id, run_type, started_at, finished_at, status, duration_seconds, models_run, models_failed,
    rows_affected, error_message, details
)
values (?, ?, ?, ?, 'FAILED', ?, ?, ?, 0, ?, ?)
