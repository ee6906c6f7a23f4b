-- ROI simulator audience size and value (all matches). Parameters: as campaign_targets.sql.
select
    count(*) as customers,
    avg(lifetime_value) as avg_ltv,
    sum(lifetime_value) as total_ltv,
    avg(churn_risk_score) as avg_churn_risk_score,
    avg(avg_monthly_spend) as avg_monthly_spend,
    -- what a kept (or won-back) customer spends in a usual month: the average of their complete months
    avg(coalesce(lifetime_avg_monthly_spend, avg_monthly_spend, 0)) as avg_usual_monthly_spend
from customer_analytics.gold.customer_360_profile
where (cast(? as varchar) = '' or position('|' || customer_segment || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || churn_risk_category || '|' in cast(? as varchar)) > 0)
    and (cast(? as varchar) = '' or position('|' || card_type || '|' in cast(? as varchar)) > 0)
    and lifetime_value >= cast(? as double)
    and (cast(? as double) <= 0 or churn_risk_score >= cast(? as double))
