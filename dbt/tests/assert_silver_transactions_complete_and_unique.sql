{#- No duplicate transactions in silver and nothing lost: silver holds every complete bronze transaction
    id exactly once. -#}
with

bronze as (
    select count(distinct transaction_id) as bronze_ids
    from {{ source('bronze', 'bronze_transactions') }}
    where transaction_id is not null
        and customer_id is not null
        and transaction_date is not null
        and transaction_amount is not null
        and status is not null
),

silver as (
    select count(*) as silver_rows, count(distinct transaction_id) as silver_ids
    from {{ ref('stg_transactions') }}
)

select *
from bronze
cross join silver
where silver_rows <> silver_ids or silver_rows <> bronze_ids
