{#- Gold spend equals de-duplicated silver spend to the cent, per customer and in total: silver
    (approved, known customers) = fct_transactions = metric_customer_ltv = customer_360_profile, and the
    fact has exactly the silver rows of known customers. -#}
with

known_customers as (
    select customer_id from {{ ref('stg_customers') }}
),

silver as (
    select
        t.customer_id,
        count(*) as silver_rows,
        sum(case when t.is_approved then t.transaction_amount else 0 end) as silver_spend
    from {{ ref('stg_transactions') }} as t
    inner join known_customers as k
        on t.customer_id = k.customer_id
    group by t.customer_id
),

fact as (
    select
        customer_id,
        count(*) as fact_rows,
        sum(case when is_approved then transaction_amount else 0 end) as fact_spend
    from {{ ref('fct_transactions') }}
    group by customer_id
),

compared as (
    select
        coalesce(p.customer_id, s.customer_id, f.customer_id) as customer_id,
        coalesce(s.silver_rows, 0) as silver_rows,
        coalesce(f.fact_rows, 0) as fact_rows,
        coalesce(s.silver_spend, 0) as silver_spend,
        coalesce(f.fact_spend, 0) as fact_spend,
        l.lifetime_value as ltv_lifetime_value,
        p.lifetime_value as profile_lifetime_value
    from {{ ref('customer_360_profile') }} as p
    full outer join silver as s
        on p.customer_id = s.customer_id
    full outer join fact as f
        on coalesce(p.customer_id, s.customer_id) = f.customer_id
    left join {{ ref('metric_customer_ltv') }} as l
        on coalesce(p.customer_id, s.customer_id, f.customer_id) = l.customer_id
)

select *
from compared
where silver_rows <> fact_rows
    or silver_spend <> fact_spend
    or ltv_lifetime_value is null
    or profile_lifetime_value is null
    or ltv_lifetime_value <> silver_spend
    or profile_lifetime_value <> silver_spend
