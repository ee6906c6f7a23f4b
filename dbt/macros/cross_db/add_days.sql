{#- date_expr + days as a DATE on every engine (dbt.dateadd returns a TIMESTAMP on DuckDB). -#}
{% macro add_days(date_expr, days) %}
    {{ return(adapter.dispatch('add_days', 'c360')(date_expr, days)) }}
{% endmacro %}

{% macro default__add_days(date_expr, days) %}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{% endmacro %}
