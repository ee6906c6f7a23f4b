{#- date_expr + months as a DATE on every engine. -#}
{% macro add_months(date_expr, months) %}
    {{ return(adapter.dispatch('add_months', 'c360')(date_expr, months)) }}
{% endmacro %}

{% macro default__add_months(date_expr, months) %}
    cast({{ dbt.dateadd('month', months, date_expr) }} as date)
{% endmacro %}
