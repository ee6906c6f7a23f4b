-- The five most recent churn-model training runs: decision, champion after the run, hold-out metrics.
select
    cast(started_at as date) as day,
    status,
    champion_version as champion,
    round(roc_auc, 3) as roc_auc,
    round(f1_score, 3) as f1,
    left(reason, 60) as reason
from OBSERVABILITY.CHURN_TRAINING_RUNS
order by started_at desc
limit 5
