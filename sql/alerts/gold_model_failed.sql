-- Alert gold_model_failed (critical): GOLD models (and snapshots/seeds) whose latest execution errored or was
-- skipped because something upstream failed (OBSERVABILITY.MODEL_EXECUTION_LOG, written by dbt's end hook);
-- plus one when the latest dbt invocation failed before it could record its nodes (a crash, a timeout).
with latest_node as (
    select status
    from OBSERVABILITY.MODEL_EXECUTION_LOG
    where schema_name = 'GOLD' and resource_type in ('model', 'snapshot', 'seed')
    qualify row_number() over (partition by node_name order by completed_at desc, run_id desc) = 1
),

latest_dbt_run as (
    select
        run_id,
        status
    from OBSERVABILITY.PIPELINE_RUN_METADATA
    where run_type like 'dbt%' and status in ('SUCCESS', 'FAILED')
    qualify row_number() over (order by started_at desc, run_id desc) = 1
),

unrecorded_failure as (
    select count(*) as failures
    from latest_dbt_run as r
    where r.status = 'FAILED'
        and not exists (select 1 from OBSERVABILITY.MODEL_EXECUTION_LOG as l where l.run_id = r.run_id)
)

select
    (select count(*) from latest_node where status in ('error', 'skipped'))
    + (select failures from unrecorded_failure) as observed_value
