{#- Month-over-month change of approved spend per customer, on a complete month spine (months without
    spend are 0, so the prior month is always the previous calendar month). -#}
with

monthly as (
    select * from {{ ref('int_customer_monthly_spend') }}
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
        {{ c360.as_of_date() }} as metric_calculated_date
    from monthly
)

select * from final
