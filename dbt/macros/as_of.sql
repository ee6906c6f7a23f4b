{#- The platform's as-of date: every time window is anchored here (never current_date). -#}
{% macro as_of_literal() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ exceptions.raise_compiler_error(
            "dbt var 'as_of' is required (the platform's as-of date, YYYY-MM-DD): "
            ~ "dbt build --vars '{as_of: 2026-10-15}' — the c360 runtime passes Settings.scale.as_of") }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if modules.re.match('^\\d{4}-\\d{2}-\\d{2}$', text) is none -%}
        {{ exceptions.raise_compiler_error("dbt var 'as_of' must be YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    {{- text -}}
{%- endmacro %}

{% macro as_of_date() -%}
    cast('{{ c360.as_of_literal() }}' as date)
{%- endmacro %}

{% macro as_of_timestamp() -%}
    cast('{{ c360.as_of_literal() }} 00:00:00' as timestamp)
{%- endmacro %}

{#- A timestamp literal `days` days before (negative) or after the as-of midnight, computed in Jinja. -#}
{% macro as_of_plus_days(days) -%}
    {%- set base = modules.datetime.datetime.strptime(c360.as_of_literal(), '%Y-%m-%d') -%}
    {%- set shifted = base + modules.datetime.timedelta(days=days) -%}
    cast('{{ shifted.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endmacro %}

{#- First day of the month `months` months before (negative) or after the as-of month, as a date literal. -#}
{% macro as_of_month_plus(months) -%}
    {%- set base = modules.datetime.datetime.strptime(c360.as_of_literal(), '%Y-%m-%d') -%}
    {%- set index = base.year * 12 + (base.month - 1) + months -%}
    cast('{{ "%04d-%02d-01" | format(index // 12, index % 12 + 1) }}' as date)
{%- endmacro %}

{#- A date a query returned (a date object, or None), as a SQL date literal. -#}
{% macro date_literal(value) -%}
    {%- if value is none -%}
        cast(null as date)
    {%- else -%}
        cast('{{ value | string }}' as date)
    {%- endif -%}
{%- endmacro %}
