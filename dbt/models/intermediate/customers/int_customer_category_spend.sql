{#-
    Approved spend per customer and merchant category: lifetime and the trailing 90 days (as-of anchored,
    open-ended like int_customer_spend_windows). Incremental by customer, additive like that model: the
    silver rows loaded since the last load are aggregated per customer and category and added to the
    customer's stored rows (categories the new rows do not touch are kept as they were).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}


with

{{ c360.new_transactions_scope(ref('stg_transactions'), check_as_of=true) }}

batch as (
    select
        customer_id,
        merchant_category,
        sum(case when is_approved then 1 else 0 end) as approved_transactions,
        {{ c360.money('sum(case when is_approved then transaction_amount else 0 end)') }} as lifetime_spend,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ c360.as_of_plus_days(-90) ~ ' then transaction_amount else 0 end)') }}
            as spend_last_90_days
    from new_transactions
    group by customer_id, merchant_category
),

{% if is_incremental() %}
previous as (
    select customer_id, merchant_category, approved_transactions, lifetime_spend, spend_last_90_days
    from {{ this }}
    where customer_id in (select customer_id from batch)
),

combined as (
    select
        coalesce(b.customer_id, p.customer_id) as customer_id,
        coalesce(b.merchant_category, p.merchant_category) as merchant_category,
        coalesce(p.approved_transactions, 0) + coalesce(b.approved_transactions, 0) as approved_transactions,
        {{ c360.money('coalesce(p.lifetime_spend, 0) + coalesce(b.lifetime_spend, 0)') }} as lifetime_spend,
        {{ c360.money('coalesce(p.spend_last_90_days, 0) + coalesce(b.spend_last_90_days, 0)') }}
            as spend_last_90_days
    from batch as b
    full outer join previous as p
        on b.customer_id = p.customer_id
        and b.merchant_category = p.merchant_category
),
{% else %}
combined as (
    select * from batch
),
{% endif %}

final as (
    select
        customer_id,
        merchant_category,
        approved_transactions,
        lifetime_spend,
        spend_last_90_days,
        {{ c360.as_of_date() }} as as_of,
        {{ c360.load_timestamp() }} as loaded_at
    from combined
)

select * from final
