-- Close a dbt run row the on-run-end hook never finished (crash, timeout, compile error).
update OBSERVABILITY.PIPELINE_RUN_METADATA
set finished_at = ?, status = 'FAILED', duration_seconds = ?, models_run = ?, models_failed = ?,
    error_message = ?, details = ?
where run_id = ?
