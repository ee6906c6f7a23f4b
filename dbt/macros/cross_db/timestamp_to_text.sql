{#- A timestamp as text with full precision (Snowflake's default output format stops at milliseconds). -#}
{% macro timestamp_to_text(expr) %}
    {{ return(adapter.dispatch('timestamp_to_text', 'c360')(expr)) }}
{% endmacro %}

{% macro default__timestamp_to_text(expr) %}
    to_varchar({{ expr }}, 'YYYY-MM-DD HH24:MI:SS.FF6')
{% endmacro %}

{% macro duckdb__timestamp_to_text(expr) %}
    strftime({{ expr }}, '%Y-%m-%d %H:%M:%S.%f')
{% endmacro %}
