{#-
    Every current customer at the scoring cutoff (the as-of date), with the same feature columns as
    ml_training_data and how the churn step scores them (scoring_basis):
      model   active in the ml_population_active_days before the as-of date: the trained model scores them
      lapsed  no approved transaction in that window although the account is older than it: already lapsed;
              they get the churn rate observed among lapsed customers at the training cutoffs
      new     account younger than the window and no approved transaction yet: not scored
-#}
{%- set population_days = c360.ml_param('ml_population_active_days') | int -%}

with

features as (
    select * from {{ ref('ml_customer_features') }}
    where dataset = 'scoring'
),

final as (
    select
        customer_id,
        cutoff_date,
        case
            when is_active_at_cutoff then 'model'
            when account_age_days is null or account_age_days >= {{ population_days }} then 'lapsed'
            else 'new'
        end as scoring_basis,
        {%- for column in c360.ml_feature_columns() %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from features
)

select * from final
