{#- One row per segment: size, value, behaviour and (once a model has scored) churn risk. -#}
{#- A view locally, a table on Snowflake (macros/materialization.sql). -#}
{{ config(materialized=c360.view_locally('table')) }}
with

profiles as (
    select * from {{ ref('customer_360_profile') }}
),

totals as (
    select count(*) as all_customers from profiles
),

aggregated as (
    select
        customer_segment,
        count(*) as customers,
        {{ c360.money('sum(lifetime_value)') }} as total_lifetime_value,
        {{ c360.money('avg(lifetime_value)') }} as avg_lifetime_value,
        {{ c360.money('avg(avg_monthly_spend)') }} as avg_monthly_spend,
        {{ c360.money('sum(spend_last_90_days)') }} as total_spend_last_90_days,
        {{ c360.money(c360.safe_divide('sum(lifetime_value)', 'sum(total_transactions)')) }} as avg_transaction_value,
        round(avg(spend_change_pct), 2) as avg_spend_change_pct,
        round(avg(travel_spend_pct), 2) as avg_travel_spend_pct,
        round(avg(necessities_spend_pct), 2) as avg_necessities_spend_pct,
        round(avg(credit_utilization_pct), 2) as avg_credit_utilization_pct,
        round(avg(tenure_months), 1) as avg_tenure_months,
        {{ c360.pct("sum(case when card_type = 'Premium' then 1 else 0 end)", 'count(*)') }} as premium_card_pct,
        {{ c360.pct("sum(case when customer_status = 'Active' then 1 else 0 end)", 'count(*)') }} as active_pct,
        sum(case when churn_risk_score is not null then 1 else 0 end) as scored_customers,
        round(avg(churn_risk_score), 2) as avg_churn_risk_score,
        sum(case when churn_risk_category = 'High Risk' then 1 else 0 end) as high_risk_customers,
        sum(case when churn_risk_category = 'Medium Risk' then 1 else 0 end) as medium_risk_customers
    from profiles
    group by customer_segment
),

final as (
    select
        a.customer_segment,
        a.customers,
        {{ c360.pct('a.customers', 't.all_customers') }} as customer_share_pct,
        a.total_lifetime_value,
        a.avg_lifetime_value,
        a.avg_monthly_spend,
        a.total_spend_last_90_days,
        a.avg_transaction_value,
        a.avg_spend_change_pct,
        a.avg_travel_spend_pct,
        a.avg_necessities_spend_pct,
        a.avg_credit_utilization_pct,
        a.avg_tenure_months,
        a.premium_card_pct,
        a.active_pct,
        a.scored_customers,
        a.avg_churn_risk_score,
        a.high_risk_customers,
        a.medium_risk_customers,
        {{ c360.as_of_date() }} as metric_calculated_date
    from aggregated as a
    cross join totals as t
)

select * from final
