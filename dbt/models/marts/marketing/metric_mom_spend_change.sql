{#- Month-over-month change of approved spend per customer, on a complete month spine (months without
    spend are 0, so the prior month is always the previous calendar month). A view locally (a projection
    of int_customer_monthly_spend, macros/materialization.sql); on Snowflake incremental by customer:
    follows the customers int_customer_monthly_spend recomputed. -#}
{{ config(
    materialized=c360.view_locally('incremental'),
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

with

monthly as (
    select * from {{ ref('int_customer_monthly_spend') }}
    {%- if is_incremental() %}
    where customer_id in (
        select customer_id
        from {{ ref('int_customer_monthly_spend') }}
        where loaded_at > {{ c360.watermark_literal(this, 'loaded_at') }}
    )
    {%- endif %}
),

final as (
    select
        customer_id,
        month_start as month,
        monthly_spend,
        prior_month_spend,
        {{ c360.money('monthly_spend - prior_month_spend') }} as mom_change_amount,
        case
            when prior_month_spend > 0
                then round(100.0 * (monthly_spend - prior_month_spend) / prior_month_spend, 2)
        end as mom_change_pct,
        approved_transactions,
        declined_transactions,
        is_complete_month,
        {{ c360.as_of_date() }} as metric_calculated_date,
        {{ c360.load_timestamp() }} as loaded_at
    from monthly
)

select * from final
