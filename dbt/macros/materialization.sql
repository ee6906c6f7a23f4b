{#-
    How the marts are materialised per engine (issue 18: a streamed batch must cost what the batch costs).

    Locally (dbt-duckdb on a DuckLake) every DDL statement is a catalog schema change that the next
    statement of every process must reload, and a `table` model issues four of them per build (create the
    new table, two renames, drop the old one): ~0.6 s per model, whatever its size, on every streamed batch.
    Snowflake keeps dbt-core's definitions (default__): tables, rebuilt by every run.

    portfolio_mart_materialization: marts that aggregate or rank the whole portfolio into a few rows
    (segment_metrics, campaign_performance, validation_seed_checks) or join per-customer rows another mart
    already holds (metric_avg_transaction_value, metric_customer_ltv). Locally they are views: a reader pinned
    to a published snapshot computes them from that snapshot's tables in milliseconds, they always equal a
    rebuild, and a streamed batch has nothing to rebuild.

    customer_mart_materialization: the one-row-per-customer marts (customer_segments, churn_risk_features,
    customer_360_profile). Locally they are incremental (delete+insert by customer_id): the stream's refresh
    (var refresh_scope = 'new_transactions', see new_transactions_only) recomputes only the customers whose
    intermediate rows it reloaded; every other run recomputes every customer (what a table rebuild does,
    without the DDL), because builds and scorings change inputs (dim_customer, churn_predictions) that carry
    no per-customer load time.
-#}
{% macro portfolio_mart_materialization() %}
    {{ return(adapter.dispatch('portfolio_mart_materialization', 'c360')()) }}
{% endmacro %}

{% macro default__portfolio_mart_materialization() %}
    {{ return('table') }}
{% endmacro %}

{% macro duckdb__portfolio_mart_materialization() %}
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
    since the mart's own watermark (`loaded_at` of its newest row). A refresh that failed half-way leaves
    the mart's watermark behind its inputs', so the next one picks those customers up too. -#}
{% macro changed_customers_since(this_relation, watermark_column, relations) %}
    {%- set watermark = c360.watermark_literal(this_relation, watermark_column) -%}
    {%- for relation in relations %}
    select customer_id from {{ relation }} where loaded_at > {{ watermark }}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}
{% endmacro %}
