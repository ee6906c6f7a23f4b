{#-
    Behavioural features per customer as of the as-of date, for scoring churn risk: recency, frequency,
    monetary value, trends, declines, category mix, tenure and card. No generator-truth column and no
    derived segment (the segment is itself a function of these features).
    Spend = approved transactions.
-#}
{#- A view locally, a table on Snowflake (macros/materialization.sql). -#}
{{ config(materialized=c360.view_locally('table')) }}
with

customers as (
    select * from {{ ref('dim_customer') }}
    where is_current
),

windows as (
    select * from {{ ref('int_customer_spend_windows') }}
),

mix as (
    select * from {{ ref('int_customer_category_mix') }}
),

segments as (
    select customer_id, tenure_months from {{ ref('customer_segments') }}
),

recent_months as (
    -- the six complete calendar months before the as-of month
    select
        customer_id,
        month_start,
        monthly_spend,
        {{ dbt.datediff('month_start', c360.as_of_month_plus(0), 'month') }} as months_ago
    from {{ ref('int_customer_monthly_spend') }}
    where month_start >= {{ c360.as_of_month_plus(-6) }}
        and month_start < {{ c360.as_of_month_plus(0) }}
),

trend as (
    select
        customer_id,
        count(*) as months_observed,
        sum(case when monthly_spend > 0 then 1 else 0 end) as active_months_last_6,
        avg(monthly_spend) as avg_monthly_spend_last_6,
        stddev_samp(monthly_spend) as monthly_spend_stddev_last_6,
        regr_slope(monthly_spend, -1.0 * months_ago) as monthly_spend_slope_last_6,
        avg(case when months_ago <= 3 then monthly_spend end) as avg_monthly_spend_last_3,
        avg(case when months_ago > 3 then monthly_spend end) as avg_monthly_spend_months_4_to_6
    from recent_months
    group by customer_id
),

final as (
    select
        c.customer_id,
        {{ c360.as_of_date() }} as as_of_date,
        c.age,
        c.employment_status,
        c.card_type,
        c.credit_limit,
        s.tenure_months,
        coalesce(w.approved_transactions, 0) as lifetime_transactions,
        {{ c360.money('coalesce(w.lifetime_spend, 0)') }} as lifetime_value,
        {{ c360.money(c360.safe_divide('w.lifetime_spend', 'w.approved_transactions')) }} as avg_transaction_value,
        case
            when w.last_transaction_at is null then null
            when {{ dbt.datediff('cast(w.last_transaction_at as date)', c360.as_of_date(), 'day') }} < 0 then 0
            else {{ dbt.datediff('cast(w.last_transaction_at as date)', c360.as_of_date(), 'day') }}
        end as days_since_last_transaction,
        coalesce(w.transactions_last_30_days, 0) as transactions_last_30_days,
        coalesce(w.transactions_last_90_days, 0) as transactions_last_90_days,
        coalesce(w.transactions_prior_90_days, 0) as transactions_prior_90_days,
        {{ c360.money('coalesce(w.spend_last_30_days, 0)') }} as spend_last_30_days,
        {{ c360.money('coalesce(w.spend_last_90_days, 0)') }} as spend_last_90_days,
        {{ c360.money('coalesce(w.spend_prior_90_days, 0)') }} as spend_prior_90_days,
        case
            when coalesce(w.spend_prior_90_days, 0) > 0
                then round(100.0 * (w.spend_last_90_days - w.spend_prior_90_days) / w.spend_prior_90_days, 2)
        end as spend_change_pct_90d,
        case
            when coalesce(w.transactions_prior_90_days, 0) > 0
                then round(
                    100.0 * (w.transactions_last_90_days - w.transactions_prior_90_days) / w.transactions_prior_90_days, 2
                )
        end as transaction_count_change_pct_90d,
        coalesce(t.active_months_last_6, 0) as active_months_last_6,
        round(t.avg_monthly_spend_last_6, 2) as avg_monthly_spend_last_6,
        round(t.monthly_spend_slope_last_6, 2) as monthly_spend_slope_last_6,
        round({{ c360.safe_divide('t.monthly_spend_stddev_last_6', 't.avg_monthly_spend_last_6') }}, 4)
            as monthly_spend_cv_last_6,
        round(
            {{ c360.safe_divide('t.avg_monthly_spend_last_3', 't.avg_monthly_spend_months_4_to_6') }}, 4
        ) as spend_ratio_last_3_vs_prior_3,
        {{ c360.pct('w.declined_transactions', 'w.attempted_transactions') }} as declined_rate,
        {{ c360.pct('w.declined_last_90_days', 'w.attempts_last_90_days') }} as declined_rate_last_90_days,
        round({{ c360.pct('w.spend_last_90_days / 3', 'c.credit_limit') }}, 2) as credit_utilization_pct,
        coalesce(m.travel_spend_pct, 0) as travel_spend_pct,
        coalesce(m.necessities_spend_pct, 0) as necessities_spend_pct,
        coalesce(m.discretionary_spend_pct, 0) as discretionary_spend_pct,
        coalesce(m.travel_spend_pct_90d, 0) as travel_spend_pct_90d,
        coalesce(m.necessities_spend_pct_90d, 0) as necessities_spend_pct_90d,
        coalesce(m.categories_used, 0) as categories_used,
        c.campaign_group
    from customers as c
    left join windows as w
        on c.customer_id = w.customer_id
    left join mix as m
        on c.customer_id = m.customer_id
    left join segments as s
        on c.customer_id = s.customer_id
    left join trend as t
        on c.customer_id = t.customer_id
)

select * from final
