-- Segment Explorer customer list: the 5,000 most valuable customers matching the filters.
-- Parameters, in order (queries.segment_filter_params): travel & dining monthly floor, its 90-day
-- window start; then segments, states, risks, cards as '|a|b|' lists ('' = any), each twice; min
-- lifetime value; avg monthly spend from and to (NULL = open), each twice; the travel & dining floor twice.
with travel_dining as (
    select t.customer_id, sum(t.transaction_amount) / 3.0 as travel_dining_monthly_spend
    from customer_analytics.gold.fct_transactions as t
    inner join customer_analytics.gold.dim_merchant_category as c
        on t.merchant_category_key = c.category_key
    where cast(? as double) > 0
        and t.status = 'approved'
        and t.transaction_date >= cast(? as timestamp)
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
left join travel_dining as td
    on p.customer_id = td.customer_id
where (cast(? as varchar) = '' or position('|' || p.customer_segment || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.state || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.churn_risk_category || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.card_type || '|' in cast(? as varchar)) > 0)
    and p.lifetime_value >= cast(? as double)
    and (cast(? as double) is null or p.avg_monthly_spend >= cast(? as double))
    and (cast(? as double) is null or p.avg_monthly_spend <= cast(? as double))
    and (cast(? as double) <= 0 or coalesce(td.travel_dining_monthly_spend, 0) >= cast(? as double))
order by p.lifetime_value desc, p.customer_id
limit 5000
