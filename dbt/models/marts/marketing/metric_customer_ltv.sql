{#- Customer lifetime value = all approved spend to date (history plus anything streamed since). -#}
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

monthly as (
    select
        customer_id,
        sum(case when monthly_spend > 0 then 1 else 0 end) as active_months,
        avg(case when is_complete_month then monthly_spend end) as lifetime_avg_monthly_spend
    from {{ ref('int_customer_monthly_spend') }}
    group by customer_id
),

joined as (
    select
        c.customer_id,
        c.customer_key,
        s.customer_segment,
        {{ c360.money('coalesce(w.lifetime_spend, 0)') }} as lifetime_value,
        coalesce(w.approved_transactions, 0) as total_transactions,
        cast(w.first_transaction_at as date) as first_transaction_date,
        cast(w.last_transaction_at as date) as last_transaction_date,
        {{ dbt.datediff('cast(w.first_transaction_at as date)', 'cast(w.last_transaction_at as date)', 'day') }}
            as customer_age_days,
        coalesce(mo.active_months, 0) as active_months,
        {{ c360.money('mo.lifetime_avg_monthly_spend') }} as lifetime_avg_monthly_spend
    from customers as c
    left join segments as s
        on c.customer_id = s.customer_id
    left join windows as w
        on c.customer_id = w.customer_id
    left join monthly as mo
        on c.customer_id = mo.customer_id
),

final as (
    select
        *,
        round(cast(percent_rank() over (order by lifetime_value) as {{ c360.type_double() }}), 4) as ltv_percentile,
        ntile(10) over (order by lifetime_value desc) as ltv_decile,
        {{ c360.as_of_date() }} as metric_calculated_date
    from joined
)

select * from final
