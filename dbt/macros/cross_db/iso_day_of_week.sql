{#- ISO day of week: Monday = 1 .. Sunday = 7 (independent of session week-start settings). -#}
{% macro iso_day_of_week(date_expr) %}
    {{ return(adapter.dispatch('iso_day_of_week', 'c360')(date_expr)) }}
{% endmacro %}

{% macro default__iso_day_of_week(date_expr) %}
    dayofweekiso({{ date_expr }})
{% endmacro %}

{% macro duckdb__iso_day_of_week(date_expr) %}
    isodow({{ date_expr }})
{% endmacro %}
