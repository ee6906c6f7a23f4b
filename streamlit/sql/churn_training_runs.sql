-- The latest churn-model training attempts: what was trained, the champion/challenger decision and why.
select
    training_run_id,
    trainer,
    started_at,
    status,
    reason,
    challenger_version,
    champion_version,
    train_rows,
    validation_rows,
    roc_auc,
    f1_score,
    seconds
from customer_analytics.observability.churn_training_runs
order by started_at desc, training_run_id desc
limit 10
