-- One customer's profile row. Parameter: customer_id.
select *
from customer_analytics.gold.customer_360_profile
where customer_id = ?
