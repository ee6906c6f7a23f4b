{#-
    Parameters of the churn label, population and cutoffs (models/ml/). Override any of them with dbt
    vars of the same name (`--vars '{ml_label_horizon_days: 60}'`); ml_cutoffs materialises the values
    in use, so the Python trainer and the model card read them from the warehouse, never re-type them.
-#}
{% macro ml_param(name) -%}
    {%- set defaults = {
        'ml_training_cutoffs_days_before_as_of': [180, 210],
        'ml_validation_cutoff_days_before_as_of': 90,
        'ml_label_horizon_days': 90,
        'ml_label_inactive_days': 60,
        'ml_label_spend_ratio': 0.30,
        'ml_baseline_days': 365,
        'ml_population_active_days': 90,
        'ml_min_baseline_days': 30,
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("unknown churn-model parameter '" ~ name ~ "'") }}
    {%- endif -%}
    {{- return(var(name, defaults[name])) -}}
{%- endmacro %}

{#- The cutoffs as (dataset, date) pairs, validated: every training outcome window ends on or before the
    validation cutoff, and the validation outcome window ends on or before the as-of date. -#}
{% macro ml_cutoff_dates() -%}
    {%- set as_of = modules.datetime.datetime.strptime(c360.as_of_literal(), '%Y-%m-%d').date() -%}
    {%- set horizon = c360.ml_param('ml_label_horizon_days') | int -%}
    {%- set training = c360.ml_param('ml_training_cutoffs_days_before_as_of') -%}
    {%- if training is string or training is number -%}{%- set training = [training] -%}{%- endif -%}
    {%- set validation_days = c360.ml_param('ml_validation_cutoff_days_before_as_of') | int -%}
    {%- set validation = as_of - modules.datetime.timedelta(days=validation_days) -%}
    {%- if validation_days < horizon -%}
        {{ exceptions.raise_compiler_error(
            "ml_validation_cutoff_days_before_as_of (" ~ validation_days ~ ") must be at least the label horizon ("
            ~ horizon ~ " days): the validation outcome window has to end by the as-of date") }}
    {%- endif -%}
    {%- set pairs = [] -%}
    {%- for days in training | map('int') | unique | sort -%}
        {%- if days < validation_days + horizon -%}
            {{ exceptions.raise_compiler_error(
                "training cutoff " ~ days ~ " days before as-of overlaps the validation period: a training "
                ~ "outcome window must end by the validation cutoff, so use at least "
                ~ (validation_days + horizon) ~ " days") }}
        {%- endif -%}
        {%- do pairs.append(('train', as_of - modules.datetime.timedelta(days=days))) -%}
    {%- endfor -%}
    {%- if pairs | length == 0 -%}
        {{ exceptions.raise_compiler_error("ml_training_cutoffs_days_before_as_of lists no cutoff") }}
    {%- endif -%}
    {%- do pairs.append(('validation', validation)) -%}
    {%- do pairs.append(('scoring', as_of)) -%}
    {{- return(pairs) -}}
{%- endmacro %}

{#- Six 30-day spend buckets before the cutoff (spend_bucket_0 = the most recent 30 days): the sum of squared
    deviations from their mean, and the least-squares slope numerator with x = 0, -1, .., -5 (mean -2.5,
    sum of squared x deviations 17.5), so the slope is the change in 30-day spend per 30 days. -#}
{% macro ml_bucket_squared_deviations() -%}
    {%- for i in range(6) -%}
        (spend_bucket_{{ i }} - bucket_mean_spend) * (spend_bucket_{{ i }} - bucket_mean_spend){% if not loop.last %} + {% endif %}
    {%- endfor -%}
{%- endmacro %}

{% macro ml_bucket_slope_numerator() -%}
    {%- for i in range(6) -%}
        ({{ 2.5 - i }}) * (spend_bucket_{{ i }} - bucket_mean_spend){% if not loop.last %} + {% endif %}
    {%- endfor -%}
{%- endmacro %}

{#- The model's feature columns, in order: the contract shared with c360/ml/features.py (FEATURES), checked
    by tests/integration/ml. Categorical: card_type, employment_status, region; every other one numeric. -#}
{% macro ml_feature_columns() -%}
    {{- return([
        'days_since_last_transaction', 'transactions_30d', 'transactions_90d', 'transactions_180d',
        'spend_30d', 'spend_90d', 'spend_180d', 'avg_transaction_value_90d', 'active_days_90d',
        'baseline_monthly_spend', 'spend_change_90d', 'transaction_change_90d', 'mom_spend_change',
        'spend_30d_to_baseline', 'spend_90d_to_baseline', 'monthly_spend_cv_180d', 'monthly_spend_slope_180d',
        'longest_idle_days_180d', 'travel_share_180d', 'necessities_share_180d', 'discretionary_share_180d',
        'online_share_90d', 'mobile_share_90d', 'declined_rate_30d', 'declined_rate_90d',
        'credit_utilization_30d', 'tenure_months', 'credit_limit', 'age', 'card_type', 'employment_status',
        'region',
    ]) -}}
{%- endmacro %}

{#- Sum of `column` over the 30-day buckets first_bucket..last_bucket before the cutoff (bucket 0 = the
    30 days just before it), in ml_customer_features. -#}
{% macro ml_window_sum(column, first_bucket, last_bucket) -%}
    sum(case when bucket between {{ first_bucket }} and {{ last_bucket }} then {{ column }} else 0 end)
{%- endmacro %}
