{#- Fails for every row where the expression is not true (NULL counts as a failure unless allowed). -#}
{% test expression_is_true(model, expression, where_clause=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{%- if where_clause %}
    and ({{ where_clause }})
{%- endif %}
{% endtest %}
