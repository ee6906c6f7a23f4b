{#- ISO-8601 week number (1..53). -#}
{% macro iso_week_of_year(date_expr) %}
    {{ return(adapter.dispatch('iso_week_of_year', 'c360')(date_expr)) }}
{% endmacro %}

{% macro default__iso_week_of_year(date_expr) %}
    weekiso({{ date_expr }})
{% endmacro %}

{% macro duckdb__iso_week_of_year(date_expr) %}
    weekofyear({{ date_expr }})
{% endmacro %}
