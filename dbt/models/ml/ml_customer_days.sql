{#-
    One row per customer and calendar day with any transaction attempt: approved count and spend (split by
    category group and channel), declined attempts, and the customer's previous day with an approved
    transaction (NULL before the first). The churn features and labels aggregate these days instead of raw
    transactions (a cutoff is a midnight, so "before the cutoff" is "on an earlier day"), and measure idle
    runs from previous_active_date without a window function per cutoff. Money is summed in integer cents
    (exact, so the datasets are bit-for-bit reproducible whatever the aggregation order; float sums are not).
-#}
with

categories as (
    select category_key, is_travel, is_necessity, is_discretionary from {{ ref('dim_merchant_category') }}
),

transactions as (
    select
        t.customer_id,
        cast(t.transaction_date as date) as activity_date,
        cast(round(t.transaction_amount * 100) as bigint) as amount_cents,
        t.is_approved,
        t.channel,
        coalesce(c.is_travel, false) as is_travel,
        coalesce(c.is_necessity, false) as is_necessity,
        coalesce(c.is_discretionary, false) as is_discretionary
    from {{ ref('fct_transactions') }} as t
    left join categories as c
        on t.merchant_category_key = c.category_key
),

daily as (
    select
        customer_id,
        activity_date,
        sum(case when is_approved then 1 else 0 end) as approved_transactions,
        sum(case when is_approved then amount_cents else 0 end) as approved_spend_cents,
        sum(case when is_approved and is_travel then amount_cents else 0 end) as travel_spend_cents,
        sum(case when is_approved and is_necessity then amount_cents else 0 end) as necessities_spend_cents,
        sum(case when is_approved and is_discretionary then amount_cents else 0 end) as discretionary_spend_cents,
        sum(case when is_approved and channel = 'Online' then 1 else 0 end) as online_transactions,
        sum(case when is_approved and channel = 'Mobile' then 1 else 0 end) as mobile_transactions,
        count(*) as attempted_transactions,
        sum(case when is_approved then 0 else 1 end) as declined_transactions
    from transactions
    group by customer_id, activity_date
),

final as (
    select
        *,
        -- the latest earlier day with an approved transaction, on days that have one themselves: a lag within
        -- the customer's days split by whether they have one (the same values as a sliding max over all days,
        -- one plain sort instead of a segment tree)
        case
            when approved_transactions > 0
                then lag(activity_date) over (
                    partition by customer_id, approved_transactions > 0
                    order by activity_date
                )
        end as previous_active_date
    from daily
)

select * from final
