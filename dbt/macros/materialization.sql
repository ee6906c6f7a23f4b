{#-
    How models are materialised per engine (issue 18: a streamed batch must cost what the batch costs, not
    what the warehouse holds). Snowflake keeps dbt-core's definitions (the default__ branches).

    Locally (dbt-duckdb on a DuckLake with a SQLite catalog) every statement re-reads the catalog, every
    commit writes it, and every DDL statement changes its schema for every process: a `table` model costs
    ~0.6 s per build whatever its size (create, two renames, drop), an incremental one a few hundred ms.
    The stream's refresh (c360/transform/dbt.py refresh_args) therefore runs only the models that hold data
    a batch changes, each touching only the customers the batch touched:

    view_locally(elsewhere): models whose result another table already determines, at a read cost of
    milliseconds to a reader pinned to a published snapshot, and that nothing in the refresh reads:
      - segment_metrics, campaign_performance, validation_seed_checks: the whole portfolio in a few rows;
      - metric_avg_transaction_value, metric_customer_ltv: per-customer joins of rows other marts hold (the
        LTV percentile ranks the whole portfolio, so any batch would change every row of a table);
      - metric_mom_spend_change: a projection of int_customer_monthly_spend;
      - churn_risk_features: per-customer features read only when someone asks (no app page, the churn
        step builds its own ml_ datasets).
    A view always equals a rebuild, and a streamed batch has nothing to rebuild. `elsewhere` is the
    model's materialisation on other engines (Snowflake keeps it unchanged).

    customer_mart_materialization: the one-row-per-customer marts the app reads row by row
    (customer_segments, customer_360_profile). Locally they are incremental (delete+insert by customer_id):
    the stream's refresh (var refresh_scope = 'new_transactions', see new_transactions_only) recomputes only
    the customers whose intermediate rows it reloaded; every other run recomputes every customer (what a
    table rebuild does, without the DDL), because builds and scorings change inputs (dim_customer,
    churn_predictions) that carry no per-customer load time.
-#}
{% macro view_locally(elsewhere='table') %}
    {{ return(adapter.dispatch('view_locally', 'c360')(elsewhere)) }}
{% endmacro %}

{% macro default__view_locally(elsewhere) %}
    {{ return(elsewhere) }}
{% endmacro %}

{% macro duckdb__view_locally(elsewhere) %}
    {{ return('view') }}
{% endmacro %}

{% macro customer_mart_materialization() %}
    {{ return(adapter.dispatch('customer_mart_materialization', 'c360')()) }}
{% endmacro %}

{% macro default__customer_mart_materialization() %}
    {{ return('table') }}
{% endmacro %}

{% macro duckdb__customer_mart_materialization() %}
    {{ return('incremental') }}
{% endmacro %}

{#- True in the stream's per-batch refresh (c360/transform/dbt.py passes var refresh_scope), which brings in
    new silver transactions and nothing else: no customer, card or churn-score change. Read when the model
    runs (not at parse time), so one parsed project serves builds and refreshes alike. -#}
{% macro new_transactions_only() %}
    {{ return(var('refresh_scope', 'all') == 'new_transactions') }}
{% endmacro %}

{#- The customers a per-customer mart recomputes in the stream's refresh: those with intermediate rows loaded
    since the mart's own watermark (`watermark_column` of its newest row). Every change such a refresh
    brings starts with new silver rows, which int_customer_spend_windows records (loaded_at) for every
    customer they touch, in the same invocation as everything downstream; the marts that also read
    int_customer_monthly_spend list it too, since its month spine can extend for every customer at once.
    A refresh that failed half-way leaves the mart's watermark behind its inputs', so the next one picks
    those customers up too. Rendered
    as the model's first CTE (with its comma); every per-customer input of the mart then reads only these
    customers (`in_changed_customers`), so the refresh costs what the batch touched, not the portfolio. -#}
{% macro changed_customers_cte(watermark_column, relations) %}
changed_customers as (
    {%- set watermark = c360.watermark_literal(this, watermark_column) -%}
    {%- for relation in relations %}
    select customer_id from {{ relation }} where loaded_at > {{ watermark }}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}
),
{% endmacro %}

{% macro in_changed_customers(column='customer_id') -%}
    {{ column }} in (select customer_id from changed_customers)
{%- endmacro %}
