{#-
    One row per customer and calendar day with any transaction attempt: approved count and spend (split by
    category group and channel) and declined attempts. The churn features and labels aggregate these days
    instead of raw transactions (a cutoff is a midnight, so "before the cutoff" is "on an earlier day").
-#}
with

categories as (
    select category_key, is_travel, is_necessity, is_discretionary from {{ ref('dim_merchant_category') }}
),

transactions as (
    select
        t.customer_id,
        cast(t.transaction_date as date) as activity_date,
        cast(t.transaction_amount as {{ c360.type_double() }}) as amount,
        t.is_approved,
        t.channel,
        coalesce(c.is_travel, false) as is_travel,
        coalesce(c.is_necessity, false) as is_necessity,
        coalesce(c.is_discretionary, false) as is_discretionary
    from {{ ref('fct_transactions') }} as t
    left join categories as c
        on t.merchant_category_key = c.category_key
),

final as (
    select
        customer_id,
        activity_date,
        sum(case when is_approved then 1 else 0 end) as approved_transactions,
        sum(case when is_approved then amount else 0 end) as approved_spend,
        sum(case when is_approved and is_travel then amount else 0 end) as travel_spend,
        sum(case when is_approved and is_necessity then amount else 0 end) as necessities_spend,
        sum(case when is_approved and is_discretionary then amount else 0 end) as discretionary_spend,
        sum(case when is_approved and channel = 'Online' then 1 else 0 end) as online_transactions,
        sum(case when is_approved and channel = 'Mobile' then 1 else 0 end) as mobile_transactions,
        count(*) as attempted_transactions,
        sum(case when is_approved then 0 else 1 end) as declined_transactions
    from transactions
    group by customer_id, activity_date
)

select * from final
