{#-
    Every current customer at the scoring cutoff (the as-of date), with the same feature columns as
    ml_training_data and how the churn step scores them (scoring_basis):
      model   active: an approved transaction in the `lapsed_after_days` (60) days before the as-of date;
              the trained model scores them and they get a risk band
      lapsed  no approved transaction in those days although the account is older than that: they have
              already churned by the label's inactivity rule, so they get no score (the profile shows
              'Lapsed': the win-back audience)
      new     account younger than that and no approved transaction yet: not scored
    The model is trained on a wider population (active in the ml_population_active_days before a cutoff)
    and its model card reports its metrics on these active customers separately.
-#}
{%- set lapsed_days = var('lapsed_after_days') | int -%}

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
            when is_active_at_cutoff and days_since_last_transaction < {{ lapsed_days }} then 'model'
            when account_age_days is null or account_age_days >= {{ lapsed_days }} then 'lapsed'
            else 'new'
        end as scoring_basis,
        {%- for column in c360.ml_feature_columns() %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from features
)

select * from final
