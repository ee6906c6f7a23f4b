-- The latest row count of every table per layer (one row per layer and table).
select
    layer,
    table_name,
    record_count,
    counted_at,
    run_id
from customer_analytics.observability.layer_record_counts
qualify row_number() over (partition by layer, table_name order by counted_at desc, run_id desc) = 1
order by layer, table_name
