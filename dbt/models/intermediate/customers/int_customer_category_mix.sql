{#- Category mix per customer: shares of approved spend by category group, lifetime and trailing 90
    days, and the top category by lifetime spend. Incremental by customer: recomputes the customers whose
    category spend was recomputed since this table's last load. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

with

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
    {%- if is_incremental() %}
    where customer_id in (
        select customer_id
        from {{ ref('int_customer_category_spend') }}
        where loaded_at > {{ c360.watermark_literal(this, 'loaded_at') }}
    )
    {%- endif %}
),

categories as (
    select * from {{ ref('stg_merchant_categories') }}
),

joined as (
    select
        s.customer_id,
        s.merchant_category,
        s.lifetime_spend,
        s.spend_last_90_days,
        coalesce(c.is_travel, false) as is_travel,
        coalesce(c.is_necessity, false) as is_necessity,
        coalesce(c.is_leisure, false) as is_leisure,
        coalesce(c.is_discretionary, false) as is_discretionary
    from category_spend as s
    left join categories as c
        on s.merchant_category = c.category_name
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id order by lifetime_spend desc, merchant_category
        ) as spend_rank
    from joined
),

aggregated as (
    select
        customer_id,
        {{ c360.money('sum(lifetime_spend)') }} as lifetime_spend,
        {{ c360.money('sum(case when is_travel then lifetime_spend else 0 end)') }} as travel_spend,
        {{ c360.money('sum(case when is_necessity then lifetime_spend else 0 end)') }} as necessities_spend,
        {{ c360.money('sum(case when is_leisure then lifetime_spend else 0 end)') }} as leisure_spend,
        {{ c360.money('sum(case when is_discretionary then lifetime_spend else 0 end)') }} as discretionary_spend,
        {{ c360.money('sum(spend_last_90_days)') }} as spend_last_90_days,
        {{ c360.money('sum(case when is_travel then spend_last_90_days else 0 end)') }} as travel_spend_last_90_days,
        {{ c360.money("sum(case when is_travel or merchant_category = 'Dining' then spend_last_90_days else 0 end)") }}
            as travel_dining_spend_last_90_days,
        {{ c360.money('sum(case when is_necessity then spend_last_90_days else 0 end)') }}
            as necessities_spend_last_90_days,
        max(case when spend_rank = 1 and lifetime_spend > 0 then merchant_category end) as top_spend_category,
        sum(case when lifetime_spend > 0 then 1 else 0 end) as categories_used
    from ranked
    group by customer_id
),

final as (
    select
        customer_id,
        travel_spend,
        necessities_spend,
        leisure_spend,
        discretionary_spend,
        travel_spend_last_90_days,
        travel_dining_spend_last_90_days,
        necessities_spend_last_90_days,
        {{ c360.pct('travel_spend', 'lifetime_spend') }} as travel_spend_pct,
        {{ c360.pct('necessities_spend', 'lifetime_spend') }} as necessities_spend_pct,
        {{ c360.pct('leisure_spend', 'lifetime_spend') }} as leisure_spend_pct,
        {{ c360.pct('discretionary_spend', 'lifetime_spend') }} as discretionary_spend_pct,
        {{ c360.pct('travel_spend_last_90_days', 'spend_last_90_days') }} as travel_spend_pct_90d,
        {{ c360.pct('necessities_spend_last_90_days', 'spend_last_90_days') }} as necessities_spend_pct_90d,
        top_spend_category,
        categories_used,
        {{ c360.load_timestamp() }} as loaded_at
    from aggregated
)

select * from final
