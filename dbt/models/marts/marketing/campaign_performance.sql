{#-
    The retention offer (sent in the offer month, see macros/campaign.sql) measured as a randomised test:
    treatment vs control, pre vs post, difference-in-differences.
    Per customer: monthly spend rate (approved spend / days x 30.4375) in the pre and post periods.
    lift = mean change(treatment) - mean change(control), per customer per month, with a 95% normal
    confidence interval (Welch standard error). retention lift = share active after the offer, treatment
    minus control, with a 95% interval (two-proportion standard error).
    Money (campaign_economics, the one definition the app's simulator uses too): incremental spend = lift x
    treated customers x months; incremental revenue = incremental spend x revenue_rate; cost = treated
    customers x cost_per_customer; ROI = (revenue - cost) / cost, over the post period measured so far
    (roi_pct) and over the value horizon if the lift persists (horizon_roi_pct).
    One row per campaign group; the campaign-level results repeat on both rows.
-#}
{#- A view locally, a table on Snowflake (macros/materialization.sql). -#}
{{ config(materialized=c360.view_locally('table')) }}
{%- set pre_days = c360.campaign_period_days('pre') | int -%}
{%- set post_days = c360.campaign_period_days('post') | int -%}
{%- set days_per_month = 30.4375 -%}

with

customers as (
    select customer_id, campaign_group from {{ ref('dim_customer') }}
    where is_current and campaign_group in ('treatment', 'control')
),

windows as (
    select * from {{ ref('int_customer_spend_windows') }}
),

economics as (
    select * from {{ ref('campaign_economics') }}
),

per_customer as (
    select
        c.customer_id,
        c.campaign_group,
        coalesce(w.campaign_pre_spend, 0) * {{ days_per_month }} / {{ [pre_days, 1] | max }} as pre_monthly_spend,
        coalesce(w.campaign_post_spend, 0) * {{ days_per_month }} / {{ [post_days, 1] | max }} as post_monthly_spend,
        case when coalesce(w.campaign_post_transactions, 0) > 0 then 1 else 0 end as is_active_post
    from customers as c
    left join windows as w
        on c.customer_id = w.customer_id
),

by_group as (
    select
        campaign_group,
        count(*) as customers,
        avg(pre_monthly_spend) as pre_avg_monthly_spend,
        avg(post_monthly_spend) as post_avg_monthly_spend,
        avg(post_monthly_spend - pre_monthly_spend) as avg_monthly_change,
        var_samp(post_monthly_spend - pre_monthly_spend) as var_monthly_change,
        avg(cast(is_active_post as {{ c360.type_double() }})) as active_post_share
    from per_customer
    group by campaign_group
),

treatment as (
    select * from by_group where campaign_group = 'treatment'
),

control as (
    select * from by_group where campaign_group = 'control'
),

effect as (
    select
        t.customers as treated_customers,
        t.avg_monthly_change - c.avg_monthly_change as lift_per_customer_month,
        sqrt(t.var_monthly_change / t.customers + c.var_monthly_change / c.customers) as lift_standard_error,
        t.active_post_share - c.active_post_share as retention_lift,
        sqrt(
            t.active_post_share * (1 - t.active_post_share) / t.customers
            + c.active_post_share * (1 - c.active_post_share) / c.customers
        ) as retention_lift_standard_error,
        t.pre_avg_monthly_spend as treated_pre_monthly_spend
    from treatment as t
    cross join control as c
),

results as (
    select
        f.*,
        e.revenue_rate,
        e.cost_per_customer,
        e.value_horizon_months,
        f.lift_per_customer_month * f.treated_customers * {{ post_days }} / {{ days_per_month }} as incremental_spend,
        f.lift_per_customer_month * f.treated_customers * e.value_horizon_months as horizon_incremental_spend,
        f.treated_customers * e.cost_per_customer as campaign_cost
    from effect as f
    cross join economics as e
),

final as (
    select
        '{{ var("campaign_name") }}' as campaign_name,
        {{ c360.campaign_offer_month() }} as offer_month,
        {{ c360.campaign_pre_start() }} as pre_period_start,
        {{ c360.campaign_offer_month() }} as pre_period_end,
        {{ c360.campaign_post_start() }} as post_period_start,
        {{ c360.as_of_date() }} as post_period_end,
        {{ post_days }} as post_period_days,
        g.campaign_group,
        g.customers,
        {{ c360.money('g.pre_avg_monthly_spend') }} as pre_avg_monthly_spend,
        {{ c360.money('g.post_avg_monthly_spend') }} as post_avg_monthly_spend,
        round(
            100.0 * {{ c360.safe_divide('g.post_avg_monthly_spend - g.pre_avg_monthly_spend', 'g.pre_avg_monthly_spend') }}, 2
        ) as spend_change_pct,
        round(100.0 * g.active_post_share, 2) as active_post_pct,
        {{ c360.money('r.lift_per_customer_month') }} as lift_per_customer_month,
        {{ c360.money('r.lift_per_customer_month - 1.96 * r.lift_standard_error') }} as lift_ci_low,
        {{ c360.money('r.lift_per_customer_month + 1.96 * r.lift_standard_error') }} as lift_ci_high,
        (r.lift_per_customer_month - 1.96 * r.lift_standard_error > 0) as is_lift_significant,
        round(100.0 * r.retention_lift, 2) as retention_lift_pct_points,
        round(100.0 * (r.retention_lift - 1.96 * r.retention_lift_standard_error), 2) as retention_lift_ci_low,
        round(100.0 * (r.retention_lift + 1.96 * r.retention_lift_standard_error), 2) as retention_lift_ci_high,
        {{ c360.money('r.treated_pre_monthly_spend') }} as treated_pre_monthly_spend,
        r.revenue_rate,
        {{ c360.money('r.cost_per_customer') }} as cost_per_customer,
        r.value_horizon_months,
        {{ c360.money('r.incremental_spend') }} as incremental_spend,
        {{ c360.money('r.incremental_spend * r.revenue_rate') }} as incremental_revenue,
        {{ c360.money('r.campaign_cost') }} as campaign_cost,
        round(100.0 * {{ c360.safe_divide('r.incremental_spend * r.revenue_rate - r.campaign_cost', 'r.campaign_cost') }}, 2)
            as roi_pct,
        {{ c360.money('r.horizon_incremental_spend * r.revenue_rate') }} as horizon_incremental_revenue,
        round(
            100.0 * {{ c360.safe_divide('r.horizon_incremental_spend * r.revenue_rate - r.campaign_cost', 'r.campaign_cost') }}, 2
        ) as horizon_roi_pct,
        round(100.0 * {{ c360.safe_divide('r.incremental_spend - r.campaign_cost', 'r.campaign_cost') }}, 2)
            as seed_formula_roi_pct,
        {{ c360.money('r.lift_per_customer_month * r.treated_customers * r.revenue_rate') }}
            as incremental_revenue_per_month,
        case
            when r.lift_per_customer_month > 0 and r.revenue_rate > 0
                then round(r.campaign_cost / (r.lift_per_customer_month * r.treated_customers * r.revenue_rate), 1)
        end as payback_months
    from by_group as g
    cross join results as r
)

select * from final
