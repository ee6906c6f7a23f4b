{#- Every fact row points at the dim_customer version of its own customer that was valid when the
    transaction happened (version 1 also covers anything before the account-opening date). -#}
select
    f.transaction_id,
    f.customer_id,
    f.customer_key,
    f.transaction_date
from {{ ref('fct_transactions') }} as f
inner join {{ ref('dim_customer') }} as d
    on f.customer_key = d.customer_key
where d.customer_id <> f.customer_id
    or f.transaction_date >= d.valid_to
    or (f.transaction_date < d.valid_from and d.customer_version <> 1)
