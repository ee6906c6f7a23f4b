{#- The first CTEs of the per-customer incremental models: `scoped` holds every silver transaction of the
    customers with rows loaded since this model's watermark (all of silver on a full build), so a changed
    customer's aggregates are recomputed from their whole history. Silver is read where it is used, not
    through a shared CTE: DuckDB materialises a CTE referenced twice, which would copy all 13.5M silver rows
    before the incremental filter applies. Each CTE ends with a comma: the model's own CTEs follow.
    `transactions` is the model's `ref('stg_transactions')`, so the dependency stays in the model. -#}
{% macro changed_customers_scope(transactions) %}
{%- if is_incremental() %}
changed_customers as (
    select distinct customer_id
    from {{ transactions }}
    where loaded_at > {{ c360.watermark_literal(this, 'loaded_at') }}
),

scoped as (
    select *
    from {{ transactions }}
    where customer_id in (select customer_id from changed_customers)
),
{%- else %}
scoped as (
    select * from {{ transactions }}
),
{%- endif %}
{% endmacro %}
