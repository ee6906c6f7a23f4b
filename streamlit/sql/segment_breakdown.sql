-- Segment Explorer aggregates over ALL customers matching the filters (not just the listed 5,000):
-- one row per segment x risk category x state; the tab rolls it up for metrics, charts and the map.
-- Parameters, in order (queries.segment_filter_params): segments, states, risks, cards as '|a|b|' lists
-- ('' = any), each twice; min lifetime value; avg monthly spend from and to (NULL = open), each twice;
-- min monthly travel & dining spend over the last 90 days (0 = any).
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
where (cast(? as varchar) = '' or position('|' || p.customer_segment || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.state || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.churn_risk_category || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.card_type || '|' in cast(? as varchar)) > 0)
    and p.lifetime_value >= cast(? as double)
    and (cast(? as double) is null or p.avg_monthly_spend >= cast(? as double))
    and (cast(? as double) is null or p.avg_monthly_spend <= cast(? as double))
    and p.travel_dining_monthly_spend >= cast(? as double)
group by p.customer_segment, p.churn_risk_category, p.state
order by p.customer_segment, p.churn_risk_category, p.state
