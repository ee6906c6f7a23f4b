{#- Average transaction value (ATV) per customer = approved spend / approved transactions. -#}
{#- A view locally, a table on Snowflake (macros/materialization.sql). -#}
{{ config(materialized=c360.view_locally('table')) }}
with

customers as (
    select customer_id, customer_key from {{ ref('dim_customer') }}
    where is_current
),

segments as (
    select customer_id, customer_segment from {{ ref('customer_segments') }}
),

windows as (
    select * from {{ ref('int_customer_spend_windows') }}
),

final as (
    select
        c.customer_id,
        c.customer_key,
        s.customer_segment,
        coalesce(w.approved_transactions, 0) as total_transactions,
        {{ c360.money(c360.safe_divide('w.lifetime_spend', 'w.approved_transactions')) }} as avg_transaction_value,
        {{ c360.money('w.transaction_value_stddev') }} as transaction_value_stddev,
        w.min_transaction_value,
        w.max_transaction_value,
        {{ c360.money(c360.safe_divide('w.spend_last_90_days', 'w.transactions_last_90_days')) }}
            as avg_transaction_value_last_90_days,
        {{ c360.as_of_date() }} as metric_calculated_date
    from customers as c
    left join segments as s
        on c.customer_id = s.customer_id
    left join windows as w
        on c.customer_id = w.customer_id
)

select * from final
