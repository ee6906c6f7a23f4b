{#- The not_null test of several columns in one scan (one dbt node instead of one per column): fails with
    one row (column_name, null_rows) for every listed column that holds a NULL. `count(*) - count(c)` is
    answered from file and row-group statistics where the engine keeps them (DuckLake, Snowflake). -#}
{% test not_null_columns(model, columns) %}
with

null_counts as (
    select
        {%- for column in columns %}
        count(*) - count({{ column }}) as nulls_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
)

{% for column in columns -%}
select '{{ column }}' as column_name, nulls_{{ loop.index }} as null_rows
from null_counts
where nulls_{{ loop.index }} > 0
{% if not loop.last %}
union all

{% endif -%}
{%- endfor %}
{% endtest %}
