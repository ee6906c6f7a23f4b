-- The campaign economics every ROI on the tab uses (dbt model campaign_economics: one row).
select revenue_rate, incentive_per_customer, contact_cost_per_customer, cost_per_customer, value_horizon_months
from customer_analytics.gold.campaign_economics
