-- Customer 360 search: partial, case-insensitive match on id, name or email (`!` escapes % and _).
-- Parameters: mode ('id' | 'name' | 'email') and the lower-cased LIKE pattern, once per mode.
select
    customer_id,
    full_name,
    email,
    city,
    state,
    customer_segment,
    churn_risk_category
from customer_analytics.gold.customer_360_profile
where (cast(? as varchar) = 'id' and lower(customer_id) like cast(? as varchar) escape '!')
    or (cast(? as varchar) = 'name' and lower(full_name) like cast(? as varchar) escape '!')
    or (cast(? as varchar) = 'email' and lower(email) like cast(? as varchar) escape '!')
order by full_name, customer_id
limit 20
