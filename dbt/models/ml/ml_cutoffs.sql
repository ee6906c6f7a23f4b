{#-
    The churn model's cutoff dates and the label parameters in use (one row per cutoff).
      train       features before the cutoff, outcome in the following horizon (ends by the validation cutoff)
      validation  the temporal hold-out: a later cutoff whose outcome window ends by the as-of date
      scoring     the as-of date itself: features only (the outcome is the future)
    A cutoff is an instant: midnight at the start of cutoff_date. Features use transactions strictly before
    it; the outcome window is [cutoff, cutoff + horizon days).
-#}
{%- set horizon = c360.ml_param('ml_label_horizon_days') | int -%}
{%- set baseline_days = c360.ml_param('ml_baseline_days') | int -%}

with

cutoff_list as (
    {%- for dataset, day in c360.ml_cutoff_dates() %}
    select
        '{{ dataset }}' as dataset,
        cast('{{ day.isoformat() }}' as date) as cutoff_date
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        dataset,
        cutoff_date,
        cast(cutoff_date as timestamp) as cutoff_at,
        cast({{ dbt.dateadd('day', -baseline_days, 'cast(cutoff_date as timestamp)') }} as timestamp)
            as baseline_start_at,
        case
            when dataset <> 'scoring'
                then cast({{ dbt.dateadd('day', horizon, 'cast(cutoff_date as timestamp)') }} as timestamp)
        end as outcome_end_at,
        dataset <> 'scoring' as has_outcome,
        {{ c360.as_of_date() }} as as_of_date,
        {{ horizon }} as label_horizon_days,
        {{ c360.ml_param('ml_label_inactive_days') | int }} as label_inactive_days,
        cast({{ c360.ml_param('ml_label_spend_ratio') | float }} as {{ c360.type_double() }}) as label_spend_ratio,
        {{ baseline_days }} as baseline_days,
        {{ c360.ml_param('ml_population_active_days') | int }} as population_active_days,
        {{ var('lapsed_after_days') | int }} as lapsed_after_days,
        {{ c360.ml_param('ml_min_baseline_days') | int }} as min_baseline_days
    from cutoff_list
)

select * from final
