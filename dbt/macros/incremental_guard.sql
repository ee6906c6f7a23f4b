{#- Incremental models whose windows are anchored on the as-of date store it in an `as_of` column.
    If the var changed since they were built, their rows are stale: fail with the fix instead of
    silently mixing two as-of dates. (The c360 runtime full-refreshes when as_of changes.) The check runs in
    the model's watermark query (watermark_literal(..., check_as_of=true)). -#}
{#- `values`: as_of values found in the relation (NULLs, from an empty relation, are skipped). -#}
{% macro raise_if_as_of_changed(relation, values) %}
    {%- set expected = c360.as_of_literal() -%}
    {%- for value in values -%}
        {%- if value is not none and (value | string)[:10] != expected -%}
            {{ exceptions.raise_compiler_error(
                relation ~ " was built for as_of " ~ (value | string)[:10] ~ " but the run uses " ~ expected
                ~ ": rebuild it with --full-refresh") }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
