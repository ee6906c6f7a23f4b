-- Segment Explorer customer list: the 5,000 most valuable customers matching the filters.
-- Variant with the travel & dining floor: approved Travel, Airlines, Hotels and Dining spend over the last
-- 90 days (from the as-of date), per month; only run when that filter is set (it scans the fact table).
-- Parameters, in order (queries.segment_filter_params with the travel & dining floor): the 90-day window
-- start, then the filter parameters of segment_customers.sql, then the monthly travel & dining floor.
with travel_dining as (
    select t.customer_id, sum(t.transaction_amount) / 3.0 as travel_dining_monthly_spend
    from customer_analytics.gold.fct_transactions as t
    inner join customer_analytics.gold.dim_merchant_category as c
        on t.merchant_category_key = c.category_key
    where t.transaction_date >= cast(? as timestamp)
        and t.status = 'approved'
        and c.category_name in ('Travel', 'Airlines', 'Hotels', 'Dining')
    group by t.customer_id
)

select
    p.customer_id,
    p.full_name,
    p.email,
    p.state,
    p.city,
    p.customer_segment,
    p.card_type,
    p.lifetime_value,
    p.avg_transaction_value,
    p.avg_monthly_spend,
    p.spend_change_pct,
    p.churn_risk_category,
    p.churn_risk_score,
    p.days_since_last_transaction
from customer_analytics.gold.customer_360_profile as p
inner join travel_dining as td
    on p.customer_id = td.customer_id
where (cast(? as varchar) = '' or position('|' || p.customer_segment || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.state || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.churn_risk_category || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.card_type || '|' in cast(? as varchar)) > 0)
    and p.lifetime_value >= cast(? as double)
    and (cast(? as double) is null or p.avg_monthly_spend >= cast(? as double))
    and (cast(? as double) is null or p.avg_monthly_spend <= cast(? as double))
    and td.travel_dining_monthly_spend >= cast(? as double)
order by p.lifetime_value desc, p.customer_id
limit 5000
