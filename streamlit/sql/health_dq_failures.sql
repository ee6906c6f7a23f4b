-- Data-quality checks that found something in the last 7 days (OBSERVABILITY.V_RECENT_DQ_FAILURES, seed 004).
select
    checked_at,
    layer,
    table_name,
    check_type,
    records_checked,
    records_failed,
    failure_rate,
    failure_details
from customer_analytics.observability.v_recent_dq_failures
order by checked_at desc, table_name, check_type
