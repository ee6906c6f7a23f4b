{#-
    Training and temporal validation rows: the population at each train / validation cutoff (customers with
    at least one approved transaction in the ml_population_active_days before it), their features as of
    the cutoff and the forward-looking label. One row per (customer_id, cutoff_date); `dataset` says which
    split a row belongs to. The trainers read exactly c360.ml_feature_columns() plus `churned`.
-#}
with

features as (
    select * from {{ ref('ml_customer_features') }}
    where dataset in ('train', 'validation')
        and is_active_at_cutoff
),

labels as (
    select customer_id, cutoff_date, churned from {{ ref('ml_churn_labels') }}
),

final as (
    select
        f.customer_id || '@' || cast(f.cutoff_date as {{ dbt.type_string() }}) as training_row_key,
        f.customer_id,
        f.dataset,
        f.cutoff_date,
        {%- for column in c360.ml_feature_columns() %}
        f.{{ column }},
        {%- endfor %}
        l.churned
    from features as f
    inner join labels as l
        on f.customer_id = l.customer_id
        and f.cutoff_date = l.cutoff_date
)

select * from final
