-- ROI simulator target list, highest churn risk first. Parameters (queries.audience_params): segments,
-- risks, cards as '|a|b|' lists ('' = any), each twice; min lifetime value; min churn score twice (0 = any).
select
    customer_id,
    full_name,
    email,
    customer_segment,
    churn_risk_category,
    churn_risk_score,
    customer_status,
    days_since_last_transaction,
    card_type,
    lifetime_value,
    avg_monthly_spend,
    lifetime_avg_monthly_spend,
    spend_last_90_days,
    state
from customer_analytics.gold.customer_360_profile
where (cast(? as varchar) = '' or position('|' || customer_segment || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || churn_risk_category || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || card_type || '|' in cast(? as varchar)) > 0)
    and lifetime_value >= cast(? as double)
    and (cast(? as double) <= 0 or churn_risk_score >= cast(? as double))
order by churn_risk_score desc nulls last, lifetime_value desc, customer_id
