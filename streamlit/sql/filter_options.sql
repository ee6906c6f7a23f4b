-- Values the filters offer, with how many customers carry each (kind: segment | state | risk | card).
select 'segment' as kind, customer_segment as value, customer_segment as label, count(*) as customers
from customer_analytics.gold.customer_360_profile
group by customer_segment
union all
select 'state', state, max(state_name), count(*)
from customer_analytics.gold.customer_360_profile
group by state
union all
select 'risk', churn_risk_category, churn_risk_category, count(*)
from customer_analytics.gold.customer_360_profile
group by churn_risk_category
union all
select 'card', card_type, card_type, count(*)
from customer_analytics.gold.customer_360_profile
group by card_type
order by kind, value
