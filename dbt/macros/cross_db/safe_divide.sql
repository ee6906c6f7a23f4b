{#- numerator / denominator, NULL when the denominator is 0 or NULL (Snowflake raises on / 0). -#}
{% macro safe_divide(numerator, denominator) %}
    {{ return(adapter.dispatch('safe_divide', 'c360')(numerator, denominator)) }}
{% endmacro %}

{% macro default__safe_divide(numerator, denominator) %}
    case when ({{ denominator }}) = 0 then null else cast({{ numerator }} as double) / ({{ denominator }}) end
{% endmacro %}
