{#- Incremental models whose windows are anchored on the as-of date store it in an `as_of` column.
    If the var changed since they were built, their rows are stale: fail with the fix instead of
    silently mixing two as-of dates. (The c360 runtime full-refreshes when as_of changes.) -#}
{% macro assert_as_of_unchanged(relation) %}
    {%- if execute -%}
        {%- set found = run_query("select distinct cast(as_of as " ~ dbt.type_string() ~ ") from " ~ relation) -%}
        {%- set expected = c360.as_of_literal() -%}
        {%- for row in found.rows -%}
            {%- if (row[0] | string)[:10] != expected -%}
                {{ exceptions.raise_compiler_error(
                    relation ~ " was built for as_of " ~ (row[0] | string)[:10] ~ " but the run uses " ~ expected
                    ~ ": rebuild it with --full-refresh") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
