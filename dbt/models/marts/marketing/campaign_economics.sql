{#-
    Campaign economics: the one definition of what a retention campaign's spend is worth (dbt vars
    campaign_*), materialised so the measured A/B result (campaign_performance) and the app's ROI simulator
    read the same numbers. Value of spend = incremental spend x revenue_rate, counted over
    value_horizon_months for a kept customer; cost = (incentive + contact cost) x targeted customers;
    ROI = (value - cost) / cost. Spend is not revenue: see docs/app.md, "Why not the seed's ROI".
-#}
with

final as (
    select
        cast({{ var('campaign_revenue_rate') }} as {{ c360.type_double() }}) as revenue_rate,
        cast({{ var('campaign_incentive_per_customer') }} as decimal(12, 2)) as incentive_per_customer,
        cast({{ var('campaign_contact_cost_per_customer') }} as decimal(12, 2)) as contact_cost_per_customer,
        cast(
            {{ var('campaign_incentive_per_customer') }} + {{ var('campaign_contact_cost_per_customer') }}
            as decimal(12, 2)
        ) as cost_per_customer,
        cast({{ var('campaign_value_horizon_months') }} as {{ c360.type_double() }}) as value_horizon_months,
        {{ c360.as_of_date() }} as as_of_date
)

select * from final
