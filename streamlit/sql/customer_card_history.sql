-- One customer's card and credit-limit versions (SCD type 2), oldest first. Parameter: customer_id.
select
    customer_version,
    card_type,
    credit_limit,
    valid_from,
    valid_to,
    is_current
from customer_analytics.gold.dim_customer
where customer_id = ?
order by valid_from, customer_version
