{#-
    Rule-based segment per customer from trailing-90-day behaviour (approved spend), first match wins.
    Thresholds are dbt vars (dbt_project.yml); see customer_segments.yml for the rules and their rationale.
-#}
{{ config(
    materialized=c360.customer_mart_materialization(),
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}
{#- Locally incremental by customer (macros/materialization.sql): the stream's refresh recomputes the customers
    whose inputs it reloaded, every other run recomputes every customer; a table on Snowflake. -#}
{%- set changed_only = is_incremental() and c360.new_transactions_only() %}
with

{% if changed_only -%}
{{ c360.changed_customers_cte('loaded_at', [ref('int_customer_spend_windows')]) }}
{%- endif %}

customers as (
    select customer_id, account_open_date from {{ ref('stg_customers') }}
    {%- if changed_only %}
    where {{ c360.in_changed_customers() }}
    {%- endif %}
),

windows as (
    select * from {{ ref('int_customer_spend_windows') }}
    {%- if changed_only %}
    where {{ c360.in_changed_customers() }}
    {%- endif %}
),

mix as (
    select * from {{ ref('int_customer_category_mix') }}
    {%- if changed_only %}
    where {{ c360.in_changed_customers() }}
    {%- endif %}
),

features as (
    select
        c.customer_id,
        {{ dbt.datediff('c.account_open_date', c360.as_of_date(), 'month') }}
            - case
                when extract(day from {{ c360.as_of_date() }}) < extract(day from c.account_open_date) then 1
                else 0
            end as tenure_months,
        {{ c360.money('coalesce(w.lifetime_spend, 0)') }} as lifetime_value,
        {{ c360.money('coalesce(w.spend_last_90_days, 0)') }} as spend_last_90_days,
        {{ c360.money('coalesce(w.spend_prior_90_days, 0)') }} as spend_prior_90_days,
        {{ c360.money('coalesce(w.spend_last_90_days, 0) / 3') }} as avg_monthly_spend,
        {{ c360.money('coalesce(w.spend_baseline_180_days, 0) / 6') }} as baseline_monthly_spend,
        case
            when coalesce(w.spend_prior_90_days, 0) > 0
                then round(
                    100.0 * (w.spend_last_90_days - w.spend_prior_90_days) / w.spend_prior_90_days, 2
                )
        end as spend_change_pct,
        case
            when coalesce(w.spend_baseline_180_days, 0) > 0
                then round(100.0 * (w.spend_last_90_days / 3 - w.spend_baseline_180_days / 6) / (w.spend_baseline_180_days / 6), 2)
        end as spend_vs_baseline_pct,
        coalesce(m.travel_spend_pct_90d, 0) as travel_spend_pct_90d,
        coalesce(m.necessities_spend_pct_90d, 0) as necessities_spend_pct_90d
    from customers as c
    left join windows as w
        on c.customer_id = w.customer_id
    left join mix as m
        on c.customer_id = m.customer_id
),

assigned as (
    select
        *,
        case
            when avg_monthly_spend >= {{ var('segment_hvt_min_monthly_spend') }}
                and travel_spend_pct_90d >= {{ var('segment_hvt_min_travel_pct') }}
                then 'hvt_spend_and_travel'
            when baseline_monthly_spend >= {{ var('segment_declining_min_baseline_monthly_spend') }}
                and spend_vs_baseline_pct <= {{ var('segment_declining_max_change_pct') }}
                then 'declining_vs_baseline'
            when spend_last_90_days = 0 and lifetime_value > 0
                then 'declining_lapsed'
            when tenure_months < {{ var('segment_new_max_tenure_months') }}
                and (spend_prior_90_days = 0 or spend_change_pct >= {{ var('segment_new_min_change_pct') }})
                then 'new_and_growing'
            when avg_monthly_spend < {{ var('segment_budget_max_monthly_spend') }}
                and necessities_spend_pct_90d >= {{ var('segment_budget_min_necessities_pct') }}
                then 'budget_low_spend_necessities'
            else 'stable_default'
        end as segment_rule
    from features
),

final as (
    select
        customer_id,
        case
            when segment_rule = 'hvt_spend_and_travel' then 'High-Value Travelers'
            when segment_rule in ('declining_vs_baseline', 'declining_lapsed') then 'Declining'
            when segment_rule = 'new_and_growing' then 'New & Growing'
            when segment_rule = 'budget_low_spend_necessities' then 'Budget-Conscious'
            else 'Stable Mid-Spenders'
        end as customer_segment,
        segment_rule,
        {{ c360.as_of_date() }} as segment_assigned_date,
        tenure_months,
        lifetime_value,
        avg_monthly_spend,
        spend_last_90_days,
        spend_prior_90_days,
        spend_change_pct,
        baseline_monthly_spend,
        spend_vs_baseline_pct,
        travel_spend_pct_90d,
        necessities_spend_pct_90d,
        {{ c360.load_timestamp() }} as loaded_at
    from assigned
)

select * from final
