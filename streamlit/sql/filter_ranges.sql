-- Upper bounds for the range filters.
select
    max(avg_monthly_spend) as max_avg_monthly_spend,
    max(lifetime_value) as max_lifetime_value
from customer_analytics.gold.customer_360_profile
