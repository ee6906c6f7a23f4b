-- The PIPELINE_RUN_METADATA row a dbt invocation's hooks wrote (if they got that far).
select status from OBSERVABILITY.PIPELINE_RUN_METADATA where run_id = ?
