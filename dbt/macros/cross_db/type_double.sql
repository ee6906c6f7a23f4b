{% macro type_double() %}
    {{ return(adapter.dispatch('type_double', 'c360')()) }}
{% endmacro %}

{% macro default__type_double() %}double{% endmacro %}
