-- The latest dbt invocation, node by node (OBSERVABILITY.MODEL_EXECUTION_LOG): failures first, then slowest.
with latest as (
    select run_id
    from customer_analytics.observability.model_execution_log
    qualify row_number() over (order by completed_at desc, run_id desc) = 1
)

select
    l.node_name,
    l.resource_type,
    l.schema_name,
    l.status,
    l.rows_affected,
    l.execution_seconds,
    l.message,
    l.run_id,
    l.completed_at
from customer_analytics.observability.model_execution_log as l
inner join latest as r on l.run_id = r.run_id
order by
    case when l.status in ('error', 'fail', 'skipped', 'warn') then 0 else 1 end,
    l.execution_seconds desc,
    l.node_name
