{#- Money: sums and amounts as DECIMAL(18, 2) everywhere (no FLOAT drift; exact reconciliation). -#}
{% macro money(expr) %}
    {{ return(adapter.dispatch('money', 'c360')(expr)) }}
{% endmacro %}

{% macro default__money(expr) %}
    cast({{ expr }} as decimal(18, 2))
{% endmacro %}
