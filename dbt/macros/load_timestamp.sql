{#- When this dbt invocation started (local time, no zone): the `loaded_at` watermark written into
    silver/gold rows. One value per invocation, so `loaded_at > max(loaded_at) of the target` finds
    exactly the rows a later invocation added upstream. -#}
{% macro load_timestamp() -%}
    cast('{{ run_started_at.astimezone().strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro pct(numerator, denominator, digits=2) -%}
    round(100.0 * {{ c360.safe_divide(numerator, denominator) }}, {{ digits }})
{%- endmacro %}
