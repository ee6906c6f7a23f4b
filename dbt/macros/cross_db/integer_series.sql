{#- A relation `(n)` holding the integers 0 .. count-1; `count` must be a constant. -#}
{% macro integer_series(count) %}
    {{ return(adapter.dispatch('integer_series', 'c360')(count)) }}
{% endmacro %}

{% macro default__integer_series(count) %}
    (select row_number() over (order by seq4()) - 1 as n from table(generator(rowcount => {{ count }})))
{% endmacro %}

{% macro duckdb__integer_series(count) %}
    (select range as n from range({{ count }}))
{% endmacro %}
