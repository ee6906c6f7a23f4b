{#- Every transaction amount in silver and gold is positive (refunds would need their own model). -#}
select 'SILVER.stg_transactions' as relation, transaction_id, transaction_amount
from {{ ref('stg_transactions') }}
where transaction_amount <= 0

union all

select 'GOLD.fct_transactions', transaction_id, transaction_amount
from {{ ref('fct_transactions') }}
where transaction_amount <= 0
