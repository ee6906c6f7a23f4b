{#- The retention campaign's calendar, all derived from the as-of date (dbt_project.yml vars):
    offer month = the month starting `campaign_offer_months_before_as_of` months before the as-of month;
    pre period  = the `campaign_pre_period_months` full months before the offer month;
    post period = from the first day after the offer month up to the as-of date (exclusive).
    The offer month itself is a transition month and belongs to neither period. -#}
{% macro campaign_offer_month() -%}
    {{ c360.as_of_month_plus(- var('campaign_offer_months_before_as_of') | int) }}
{%- endmacro %}

{% macro campaign_pre_start() -%}
    {{ c360.as_of_month_plus(- (var('campaign_offer_months_before_as_of') | int) - (var('campaign_pre_period_months') | int)) }}
{%- endmacro %}

{% macro campaign_post_start() -%}
    {{ c360.as_of_month_plus(1 - var('campaign_offer_months_before_as_of') | int) }}
{%- endmacro %}

{#- Length of the periods in days, computed in Jinja (constants in the SQL). -#}
{% macro campaign_period_days(period) -%}
    {%- set dt = modules.datetime -%}
    {%- set as_of = dt.datetime.strptime(c360.as_of_literal(), '%Y-%m-%d') -%}
    {%- set offset = var('campaign_offer_months_before_as_of') | int -%}
    {%- set pre_months = var('campaign_pre_period_months') | int -%}
    {%- set base = as_of.year * 12 + as_of.month - 1 -%}
    {%- set offer = dt.datetime(((base - offset) // 12), ((base - offset) % 12) + 1, 1) -%}
    {%- set pre_start = dt.datetime(((base - offset - pre_months) // 12), ((base - offset - pre_months) % 12) + 1, 1) -%}
    {%- set post_start = dt.datetime(((base - offset + 1) // 12), ((base - offset + 1) % 12) + 1, 1) -%}
    {%- if period == 'pre' -%}
        {{ (offer - pre_start).days }}
    {%- elif period == 'post' -%}
        {{ [(as_of - post_start).days, 0] | max }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("campaign_period_days: period must be 'pre' or 'post'") }}
    {%- endif -%}
{%- endmacro %}
