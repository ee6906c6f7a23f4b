-- Segment Explorer customer list: every customer matching the filters, most valuable first (the table shows
-- the first queries.CUSTOMER_LIST_LIMIT rows, the export streams them all).
-- Parameters, in order (queries.segment_filter_params): segments, states, risks, cards as '|a|b|' lists
-- ('' = any), each twice; min lifetime value; avg monthly spend from and to (NULL = open), each twice;
-- min monthly travel & dining spend over the last 90 days (0 = any).
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
where (cast(? as varchar) = '' or position('|' || p.customer_segment || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.state || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.churn_risk_category || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || p.card_type || '|' in cast(? as varchar)) > 0)
    and p.lifetime_value >= cast(? as double)
    and (cast(? as double) is null or p.avg_monthly_spend >= cast(? as double))
    and (cast(? as double) is null or p.avg_monthly_spend <= cast(? as double))
    and p.travel_dining_monthly_spend >= cast(? as double)
order by p.lifetime_value desc, p.customer_id
