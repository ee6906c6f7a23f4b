{#-
    One row per customer: everything the app, the assistant and the marketing team look up.
    Spend metrics count APPROVED transactions only; declined attempts are reported separately.
    customer_status: Active, Lapsed (no approved transaction in the last `lapsed_after_days` days before
    the as-of date, or never on an older account) or New (a younger account without one yet).
    Churn columns come from GOLD.CHURN_PREDICTIONS (a source the churn-model step writes) for ACTIVE
    customers only: a lapsed customer has already churned by the label's definition, so their churn
    columns are NULL and churn_risk_category is 'Lapsed' (the win-back audience, not a risk band). Until a
    model has scored, active customers are 'Not Scored'.
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
{%- set lapsed_days = var('lapsed_after_days') | int -%}
with

{% if changed_only -%}
{{ c360.changed_customers_cte('profile_updated_at', [
    ref('int_customer_spend_windows'), ref('int_customer_monthly_spend')]) }}
{%- endif %}

customers as (
    select * from {{ ref('dim_customer') }}
    where is_current
    {%- if changed_only %}
        and {{ c360.in_changed_customers() }}
    {%- endif %}
),

states as (
    select * from {{ ref('stg_us_states') }}
),

segments as (
    select * from {{ ref('customer_segments') }}
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

monthly as (
    select
        customer_id,
        avg(case when is_complete_month then monthly_spend end) as lifetime_avg_monthly_spend,
        sum(case when monthly_spend > 0 then 1 else 0 end) as active_months
    from {{ ref('int_customer_monthly_spend') }}
    {%- if changed_only %}
    where {{ c360.in_changed_customers() }}
    {%- endif %}
    group by customer_id
),

card_history as (
    select
        customer_id,
        count(*) as card_versions,
        max(case when is_upgrade then valid_from end) as premium_upgraded_at,
        max(case when customer_version > 1 then valid_from end) as last_card_change_at,
        max(case when is_current then previous_credit_limit end) as previous_credit_limit
    from (
        select
            customer_id,
            customer_version,
            valid_from,
            is_current,
            card_type = 'Premium'
                and lag(card_type) over (partition by customer_id order by customer_version) = 'Standard'
                as is_upgrade,
            lag(credit_limit) over (partition by customer_id order by customer_version) as previous_credit_limit
        from {{ ref('dim_customer') }}
        {%- if changed_only %}
        where {{ c360.in_changed_customers() }}
        {%- endif %}
    ) as versions
    group by customer_id
),

predictions as (
    select *
    from {{ source('gold_ml', 'churn_predictions') }}
    {%- if changed_only %}
    where {{ c360.in_changed_customers() }}
    {%- endif %}
    qualify row_number() over (
        partition by customer_id order by scored_at desc, model_version desc
    ) = 1
),

joined as (
    select
        c.customer_id,
        c.customer_key,
        c.full_name,
        c.first_name,
        c.last_name,
        c.email,
        c.age,
        c.state,
        st.state_name,
        st.region,
        c.city,
        c.employment_status,
        c.card_type,
        c.credit_limit,
        h.card_versions,
        cast(h.premium_upgraded_at as date) as premium_upgrade_date,
        cast(h.last_card_change_at as date) as last_card_change_date,
        h.previous_credit_limit,
        c.account_open_date,
        s.tenure_months,
        c.campaign_group,
        s.customer_segment,
        s.segment_rule,
        s.segment_assigned_date,
        {{ c360.money('coalesce(w.lifetime_spend, 0)') }} as lifetime_value,
        coalesce(w.approved_transactions, 0) as total_transactions,
        coalesce(w.declined_transactions, 0) as declined_transactions,
        {{ c360.money(c360.safe_divide('w.lifetime_spend', 'w.approved_transactions')) }} as avg_transaction_value,
        s.avg_monthly_spend,
        {{ c360.money('mo.lifetime_avg_monthly_spend') }} as lifetime_avg_monthly_spend,
        coalesce(mo.active_months, 0) as active_months,
        {{ c360.money('coalesce(w.spend_last_30_days, 0)') }} as spend_last_30_days,
        s.spend_last_90_days,
        s.spend_prior_90_days,
        s.spend_change_pct,
        cast(w.first_transaction_at as date) as first_transaction_date,
        cast(w.last_transaction_at as date) as last_transaction_date,
        {{ dbt.datediff('cast(w.last_transaction_at as date)', c360.as_of_date(), 'day') }} as raw_days_since_last,
        m.travel_spend_pct,
        {{ c360.money('coalesce(m.travel_dining_spend_last_90_days, 0) / 3.0') }} as travel_dining_monthly_spend,
        m.necessities_spend_pct,
        m.leisure_spend_pct,
        m.discretionary_spend_pct,
        m.top_spend_category,
        round({{ c360.pct('s.avg_monthly_spend', 'c.credit_limit') }}, 2) as credit_utilization_pct,
        {{ c360.pct('w.declined_transactions', 'w.attempted_transactions') }} as declined_rate,
        p.churn_probability,
        p.churn_risk_score,
        p.predicted_churn,
        p.model_version as churn_model_version,
        p.scored_at as churn_scored_at
    from customers as c
    left join states as st
        on c.state = st.state_code
    left join segments as s
        on c.customer_id = s.customer_id
    left join windows as w
        on c.customer_id = w.customer_id
    left join mix as m
        on c.customer_id = m.customer_id
    left join monthly as mo
        on c.customer_id = mo.customer_id
    left join card_history as h
        on c.customer_id = h.customer_id
    left join predictions as p
        on c.customer_id = p.customer_id
),

statused as (
    select
        *,
        case
            when raw_days_since_last < {{ lapsed_days }} then 'Active'
            when last_transaction_date is null
                and {{ dbt.datediff('account_open_date', c360.as_of_date(), 'day') }} < {{ lapsed_days }}
                then 'New'
            else 'Lapsed'
        end as customer_status
    from joined
),

final as (
    select
        customer_id,
        customer_key,
        full_name,
        first_name,
        last_name,
        email,
        age,
        state,
        state_name,
        region,
        city,
        employment_status,
        card_type,
        credit_limit,
        card_versions,
        premium_upgrade_date,
        last_card_change_date,
        previous_credit_limit,
        account_open_date,
        tenure_months,
        campaign_group,
        customer_segment,
        segment_rule,
        segment_assigned_date,
        lifetime_value,
        total_transactions,
        declined_transactions,
        declined_rate,
        avg_transaction_value,
        avg_monthly_spend,
        lifetime_avg_monthly_spend,
        active_months,
        spend_last_30_days,
        spend_last_90_days,
        spend_prior_90_days,
        spend_change_pct,
        first_transaction_date,
        last_transaction_date,
        case when raw_days_since_last < 0 then 0 else raw_days_since_last end as days_since_last_transaction,
        case
            when last_transaction_date is null then 'No Activity'
            when raw_days_since_last <= {{ var('recency_active_max_days') }} then 'Active'
            when raw_days_since_last < {{ lapsed_days }} then 'Lapsing'
            else 'Lapsed'
        end as recency_status,
        customer_status,
        travel_spend_pct,
        travel_dining_monthly_spend,
        necessities_spend_pct,
        leisure_spend_pct,
        discretionary_spend_pct,
        top_spend_category,
        credit_utilization_pct,
        case when customer_status <> 'Lapsed' then churn_probability end as churn_probability,
        case when customer_status <> 'Lapsed' then churn_risk_score end as churn_risk_score,
        case
            when customer_status = 'Lapsed' then 'Lapsed'
            else {{ c360.risk_category('churn_risk_score') }}
        end as churn_risk_category,
        case when customer_status <> 'Lapsed' then predicted_churn end as predicted_churn,
        case when customer_status <> 'Lapsed' then churn_model_version end as churn_model_version,
        case when customer_status <> 'Lapsed' then churn_scored_at end as churn_scored_at,
        {{ c360.as_of_date() }} as as_of_date,
        {{ c360.load_timestamp() }} as profile_updated_at
    from statused
)

select * from final
