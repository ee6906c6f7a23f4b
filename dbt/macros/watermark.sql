{#- The highest value of a timestamp column of an existing relation, as a SQL literal computed when the
    node runs (1900-01-01 when the relation is empty). A literal lets both engines prune by it: DuckDB
    skips row groups by their min/max, Snowflake skips micro-partitions; a scalar subquery prunes nothing.
    Used only in incremental branches (the relation exists there). `check_as_of`: the relation's `as_of`
    column is checked in the same query (raise_if_as_of_changed), one catalog round trip instead of two. -#}
{% macro watermark_literal(relation, column, check_as_of=false) %}
    {%- set value = none -%}
    {%- if execute -%}
        {#- min/max of the column itself, not of a cast: DuckDB answers those from the lake's file statistics,
            where a cast read every row (~25-50 ms of CPU per model at 50,000 customers, growing with it) -#}
        {%- set as_of_bounds = ", min(as_of), max(as_of)" if check_as_of else "" -%}
        {%- set result = run_query(
            "select " ~ c360.timestamp_to_text("max(" ~ column ~ ")") ~ as_of_bounds ~ " from " ~ relation) -%}
        {%- if result is not none and result.rows | length > 0 -%}
            {%- set value = result.rows[0][0] -%}
            {%- if check_as_of -%}
                {{ c360.raise_if_as_of_changed(relation, [result.rows[0][1], result.rows[0][2]]) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if value is none -%}
        cast('1900-01-01 00:00:00' as timestamp)
    {%- else -%}
        cast('{{ value }}' as timestamp)
    {%- endif -%}
{% endmacro %}

{#- Distinct values of a column among the rows where another column equals a literal, as a SQL list of
    string literals (for `not in (...)`); ('') when there are none. -#}
{% macro distinct_values_literal(relation, column, where_column, where_literal) %}
    {%- set values = [] -%}
    {%- if execute -%}
        {%- set result = run_query(
            "select distinct coalesce(" ~ column ~ ", '') from " ~ relation
            ~ " where " ~ where_column ~ " = " ~ where_literal) -%}
        {%- for row in result.rows -%}
            {%- do values.append("'" ~ (row[0] | string | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
    ({{ values | join(', ') if values else "''" }})
{% endmacro %}
