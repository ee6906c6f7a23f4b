{#- Fails when the model has no rows. -#}
{% test not_empty(model) %}
select 1 as is_empty
from (select count(*) as n from {{ model }}) as counted
where n = 0
{% endtest %}
