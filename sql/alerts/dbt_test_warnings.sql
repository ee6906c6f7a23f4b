-- Alert dbt_test_warnings (info): tests that warned or failed in the latest dbt invocation that ran tests.
with latest_test_run as (
    select run_id
    from OBSERVABILITY.MODEL_EXECUTION_LOG
    where resource_type in ('test', 'unit_test')
    qualify row_number() over (order by completed_at desc, run_id desc) = 1
)

select count(*) as observed_value
from OBSERVABILITY.MODEL_EXECUTION_LOG as l
inner join latest_test_run as r on l.run_id = r.run_id
where l.resource_type in ('test', 'unit_test') and l.status in ('warn', 'fail', 'error')
