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

{#- Big relations are read where they are used, not through a shared CTE: DuckDB materialises a CTE that
    is referenced twice, which would copy all 13.5M silver rows before the incremental filter applies. -#}
with

{% if is_incremental() %}
changed_customers as (
    select distinct customer_id
    from {{ ref('stg_transactions') }}
    where loaded_at > {{ c360.watermark_literal(this, 'loaded_at') }}
),

scoped as (
    select *
    from {{ ref('stg_transactions') }}
    where customer_id in (select customer_id from changed_customers)
),
{% else %}
scoped as (
    select * from {{ ref('stg_transactions') }}
),
{% endif %}

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
