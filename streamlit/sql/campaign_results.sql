-- The retention offer's A/B result: one row per campaign group (treatment first); campaign-level
-- figures (lift, incremental revenue, cost, ROI) repeat on both rows.
select *
from customer_analytics.gold.campaign_performance
order by case when campaign_group = 'treatment' then 0 else 1 end
