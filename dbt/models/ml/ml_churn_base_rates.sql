{#-
    Churn base rates per cutoff with an outcome: in the model's population (active before the cutoff) and
    among lapsed customers (no approved transaction in the population window, account older than it).
    The churn step scores lapsed customers with the lapsed rate of the training cutoffs; the model card
    reports both.
-#}
{%- set population_days = c360.ml_param('ml_population_active_days') | int -%}

with

labels as (
    select * from {{ ref('ml_churn_labels') }}
),

features as (
    select customer_id, cutoff_date, account_age_days
    from {{ ref('ml_customer_features') }}
    where dataset in ('train', 'validation')
),

classified as (
    select
        l.dataset,
        l.cutoff_date,
        case
            when l.is_active_at_cutoff then 'population'
            when f.account_age_days is null or f.account_age_days >= {{ population_days }} then 'lapsed'
            else 'new'
        end as customer_group,
        l.churned,
        l.is_inactive_churn,
        l.is_spend_drop_churn
    from labels as l
    inner join features as f
        on l.customer_id = f.customer_id
        and l.cutoff_date = f.cutoff_date
),

final as (
    select
        dataset,
        cutoff_date,
        customer_group,
        count(*) as customers,
        sum(case when churned then 1 else 0 end) as churned_customers,
        sum(case when is_inactive_churn then 1 else 0 end) as inactive_churned_customers,
        sum(case when is_spend_drop_churn then 1 else 0 end) as spend_drop_churned_customers,
        cast(sum(case when churned then 1 else 0 end) as {{ c360.type_double() }}) / count(*) as churn_rate
    from classified
    group by dataset, cutoff_date, customer_group
)

select * from final
