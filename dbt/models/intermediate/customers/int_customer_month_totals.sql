{#-
    Sparse monthly totals per customer (only months with at least one transaction). Calendar months do
    not depend on the as-of date. Incremental by customer (see int_customer_spend_windows).
    int_customer_monthly_spend puts these on a complete month spine.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

with

{{ c360.changed_customers_scope(ref('stg_transactions')) }}

aggregated as (
    select
        customer_id,
        {{ c360.month_start('transaction_date') }} as month_start,
        {{ c360.money('sum(case when is_approved then transaction_amount else 0 end)') }} as approved_spend,
        sum(case when is_approved then 1 else 0 end) as approved_transactions,
        sum(case when is_approved then 0 else 1 end) as declined_transactions
    from scoped
    group by customer_id, {{ c360.month_start('transaction_date') }}
),

final as (
    select
        *,
        {{ c360.load_timestamp() }} as loaded_at
    from aggregated
)

select * from final
