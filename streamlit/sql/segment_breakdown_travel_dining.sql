-- Segment Explorer aggregates over ALL customers matching the filters (not just the listed 5,000):
-- one row per segment x risk category x state; the tab rolls it up for metrics, charts and the map.
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
    p.customer_segment,
    p.churn_risk_category,
    p.state,
    max(p.state_name) as state_name,
    count(*) as customers,
    sum(p.lifetime_value) as total_ltv,
    sum(p.avg_monthly_spend) as total_avg_monthly_spend,
    sum(p.churn_risk_score) as churn_score_sum,
    sum(case when p.churn_risk_score is not null then 1 else 0 end) as scored_customers
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
group by p.customer_segment, p.churn_risk_category, p.state
order by p.customer_segment, p.churn_risk_category, p.state
