{#- First day of the month of a date or timestamp, as a DATE (date_trunc returns a TIMESTAMP on some engines). -#}
{% macro month_start(expr) %}
    {{ return(adapter.dispatch('month_start', 'c360')(expr)) }}
{% endmacro %}

{% macro default__month_start(expr) %}
    cast({{ dbt.date_trunc('month', expr) }} as date)
{% endmacro %}
