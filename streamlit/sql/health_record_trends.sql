-- Daily record counts per table, last 30 days with counts (OBSERVABILITY.V_RECORD_COUNT_TRENDS, seed 004).
select
    count_date,
    layer,
    table_name,
    record_count,
    counts_taken
from customer_analytics.observability.v_record_count_trends
where layer in ('bronze', 'silver', 'gold')
qualify dense_rank() over (order by count_date desc) <= 30
order by count_date, layer, table_name
