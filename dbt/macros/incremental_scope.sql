{#- The first CTE of the additive per-customer models (int_customer_spend_windows, int_customer_category_spend,
    int_customer_month_totals): `new_transactions` holds the silver transactions loaded since this model's
    watermark (all of silver on a full build). Each of those models aggregates these rows and, on an
    incremental run, adds the result to the customer's stored row, so a batch costs what its own rows cost,
    never a re-read of the customer's whole history (which grows with the warehouse). Silver is append-only
    between full builds (stg_transactions: incremental append, first delivery of an id wins), and a silver
    row's loaded_at is the invocation that added it, so rows newer than the watermark are exactly the rows
    this model has not counted yet. The CTE ends with a comma: the model's own CTEs follow. `check_as_of`:
    the model's rows are anchored on the as-of date, checked in the watermark's query.
    `transactions` is the model's `ref('stg_transactions')`, so the dependency stays in the model. -#}
{% macro new_transactions_scope(transactions, check_as_of=false) %}
new_transactions as (
    select *
    from {{ transactions }}
    {%- if is_incremental() %}
    where loaded_at > {{ c360.watermark_literal(this, 'loaded_at', check_as_of=check_as_of) }}
    {%- endif %}
),
{% endmacro %}

{#- The earlier / later of two values where either may be NULL (then the other one). Written out because the
    engines disagree: DuckDB's least() and greatest() skip NULLs, Snowflake's return NULL. -#}
{% macro earliest(a, b) -%}
    case when {{ a }} is null then {{ b }} when {{ b }} is null then {{ a }} when {{ a }} <= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}

{% macro latest(a, b) -%}
    case when {{ a }} is null then {{ b }} when {{ b }} is null then {{ a }} when {{ a }} >= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}

{#- Sample standard deviation from the exact sums it is made of: n, sum(x) and sum(x * x) (DECIMAL, so two
    partial sums add up exactly and an incremental row equals a rebuilt one). n * sum(x^2) - sum(x)^2 is
    computed exactly, then divided: never negative, no cancellation. NULL below two values, as stddev_samp. -#}
{% macro stddev_from_sums(n, total, squares) -%}
    case
        when {{ n }} > 1
            then sqrt(
                cast(
                    {{ n }} * cast({{ squares }} as decimal(38, 4))
                    - cast({{ total }} as decimal(38, 2)) * cast({{ total }} as decimal(38, 2))
                    as {{ c360.type_double() }}
                )
                / (cast({{ n }} as {{ c360.type_double() }}) * ({{ n }} - 1))
            )
    end
{%- endmacro %}
