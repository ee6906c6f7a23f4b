-- The churn models' evaluation on the temporal hold-out (validation cutoff, never training rows), newest
-- first and the champion first within a run.
select
    training_run_id,
    model_version,
    trainer,
    role,
    evaluated_at,
    train_cutoffs,
    validation_cutoff,
    as_of_date,
    train_rows,
    validation_rows,
    validation_base_rate,
    threshold,
    roc_auc,
    pr_auc,
    f1_score,
    precision_score,
    recall_score,
    accuracy,
    brier_score,
    true_positives,
    false_positives,
    true_negatives,
    false_negatives,
    heuristic_roc_auc,
    heuristic_f1,
    is_champion
from customer_analytics.gold.churn_model_metrics
order by evaluated_at desc, is_champion desc, model_version
limit 20
