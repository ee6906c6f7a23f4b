-- Before the customers_snapshot exists every card state is pending: the ranks to replay are 1 .. the
-- largest number of distinct effective times of any customer (see customer_card_versions_pending.sql).
select 1 as first_rank, max(effective_times) as last_rank
from (
    select trim(customer_id) as customer_id, count(distinct coalesce(updated_at, ingestion_timestamp)) as effective_times
    from BRONZE.BRONZE_CUSTOMERS
    where customer_id is not null and trim(customer_id) <> ''
    group by trim(customer_id)
)
