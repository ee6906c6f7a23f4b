-- The champion model's most important features (latest evaluation of the champion).
select
    feature,
    importance,
    importance_std,
    importance_rank,
    method,
    model_version
from customer_analytics.gold.churn_feature_importance
where model_version = (
    select model_version
    from customer_analytics.gold.churn_model_metrics
    where is_champion
    order by evaluated_at desc
    limit 1
)
order by importance_rank, feature
limit 15
