{#- Fails when the model and compare_model have different row counts (optionally filtered). -#}
{% test equal_row_count(model, compare_model, compare_where=none) %}
with

model_rows as (
    select count(*) as n from {{ model }}
),

compare_rows as (
    select count(*) as n from {{ compare_model }}
    {%- if compare_where %} where {{ compare_where }}{% endif %}
)

select m.n as model_rows, c.n as compare_rows
from model_rows as m
cross join compare_rows as c
where m.n <> c.n
{% endtest %}
