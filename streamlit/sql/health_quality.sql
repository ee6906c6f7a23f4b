-- The latest result of every data-quality check (duplicates, nulls, orphans, ...), per table and check.
select
    layer,
    table_name,
    check_type,
    records_checked,
    records_failed,
    failure_rate,
    failure_details,
    checked_at,
    run_id
from customer_analytics.observability.data_quality_metrics
qualify row_number() over (
    partition by layer, table_name, check_type order by checked_at desc, run_id desc
) = 1
order by records_failed desc, layer, table_name, check_type
