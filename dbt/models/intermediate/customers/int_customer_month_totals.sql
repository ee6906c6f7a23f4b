{#-
    Sparse monthly totals per customer (only months with at least one transaction). Calendar months do
    not depend on the as-of date. Incremental by customer, additive (see int_customer_spend_windows): the
    silver rows loaded since the last load are totalled per customer and month and added to the customer's
    stored months. int_customer_monthly_spend puts these on a complete month spine.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

with

{{ c360.new_transactions_scope(ref('stg_transactions')) }}

batch as (
    select
        customer_id,
        {{ c360.month_start('transaction_date') }} as month_start,
        {{ c360.money('sum(case when is_approved then transaction_amount else 0 end)') }} as approved_spend,
        sum(case when is_approved then 1 else 0 end) as approved_transactions,
        sum(case when is_approved then 0 else 1 end) as declined_transactions
    from new_transactions
    group by customer_id, {{ c360.month_start('transaction_date') }}
),

{% if is_incremental() %}
previous as (
    select customer_id, month_start, approved_spend, approved_transactions, declined_transactions
    from {{ this }}
    where customer_id in (select customer_id from batch)
),

combined as (
    select
        coalesce(b.customer_id, p.customer_id) as customer_id,
        coalesce(b.month_start, p.month_start) as month_start,
        {{ c360.money('coalesce(p.approved_spend, 0) + coalesce(b.approved_spend, 0)') }} as approved_spend,
        coalesce(p.approved_transactions, 0) + coalesce(b.approved_transactions, 0) as approved_transactions,
        coalesce(p.declined_transactions, 0) + coalesce(b.declined_transactions, 0) as declined_transactions
    from batch as b
    full outer join previous as p
        on b.customer_id = p.customer_id
        and b.month_start = p.month_start
),
{% else %}
combined as (
    select * from batch
),
{% endif %}

final as (
    select
        customer_id,
        month_start,
        approved_spend,
        approved_transactions,
        declined_transactions,
        {{ c360.load_timestamp() }} as loaded_at
    from combined
)

select * from final
