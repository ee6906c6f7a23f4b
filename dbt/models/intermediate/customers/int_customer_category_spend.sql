{#-
    Approved spend per customer and merchant category: lifetime and the trailing 90 days (as-of anchored,
    open-ended like int_customer_spend_windows). Incremental by customer, same rules as that model.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

{% if is_incremental() %}{{ c360.assert_as_of_unchanged(this) }}{% endif %}

with

{{ c360.changed_customers_scope(ref('stg_transactions')) }}

aggregated as (
    select
        customer_id,
        merchant_category,
        sum(case when is_approved then 1 else 0 end) as approved_transactions,
        {{ c360.money('sum(case when is_approved then transaction_amount else 0 end)') }} as lifetime_spend,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ c360.as_of_plus_days(-90) ~ ' then transaction_amount else 0 end)') }}
            as spend_last_90_days
    from scoped
    group by customer_id, merchant_category
),

final as (
    select
        *,
        {{ c360.as_of_date() }} as as_of,
        {{ c360.load_timestamp() }} as loaded_at
    from aggregated
)

select * from final
