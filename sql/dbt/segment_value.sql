-- Customers and average lifetime value per segment (the aggregate the original spec timed at < 3 s).
select customer_segment, count(*) as customers, avg(lifetime_value) as avg_lifetime_value
from GOLD.customer_360_profile
group by customer_segment
order by customers desc
