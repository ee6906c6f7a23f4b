-- Which card versions the customers_snapshot has to replay before the build: when some customer has two
-- or more states newer than the snapshot's latest version of them, ranks 1 .. (the most effective times
-- of such a customer) - 1; the build itself records every customer's latest state. Passes start at 1
-- because dbt ranks versions after collapsing repeated states (a rank can be lower than the delivery's);
-- a pass over versions the snapshot already holds records nothing (timestamp strategy). No parameters.
with

deliveries as (
    select distinct trim(customer_id) as customer_id, coalesce(updated_at, ingestion_timestamp) as effective_at
    from BRONZE.BRONZE_CUSTOMERS
    where customer_id is not null and trim(customer_id) <> ''
),

recorded as (
    select customer_id, max(dbt_valid_from) as latest_version_from
    from SILVER.CUSTOMERS_SNAPSHOT
    group by customer_id
),

per_customer as (
    select
        d.customer_id,
        count(*) as effective_times,
        sum(case when r.latest_version_from is null or d.effective_at > r.latest_version_from then 1 else 0 end)
            as pending
    from deliveries as d
    left join recorded as r
        on d.customer_id = r.customer_id
    group by d.customer_id
)

select
    1 as first_rank,
    max(effective_times) as last_rank
from per_customer
where pending >= 2
