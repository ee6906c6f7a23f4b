-- Every transaction of one customer (approved and declined), newest first. Parameter: customer_id.
select
    t.transaction_date,
    t.transaction_id,
    t.merchant_name,
    coalesce(c.category_name, 'Uncategorized') as category_name,
    coalesce(c.category_group, 'Other') as category_group,
    t.transaction_amount,
    t.channel,
    t.status
from customer_analytics.gold.fct_transactions as t
left join customer_analytics.gold.dim_merchant_category as c
    on t.merchant_category_key = c.category_key
where t.customer_id = ?
order by t.transaction_date desc, t.transaction_id desc
