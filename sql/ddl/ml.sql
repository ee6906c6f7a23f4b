-- Churn-model tables written by the churn_model step / `c360 train` (c360/ml/), outside dbt. Idempotent.
-- GOLD.CHURN_PREDICTIONS itself is declared in sql/ddl/gold.sql (a dbt source of customer_360_profile).

-- One row per evaluated model per training run: the challenger, and the champion re-evaluated on the same
-- temporal hold-out (role). Metrics are on the validation cutoff, never on training rows.
create table if not exists GOLD.CHURN_MODEL_METRICS (
    training_run_id varchar,
    model_version varchar,
    trainer varchar,
    role varchar,
    evaluated_at timestamp,
    train_cutoffs varchar,
    validation_cutoff date,
    as_of_date date,
    train_rows bigint,
    validation_rows bigint,
    train_base_rate double,
    validation_base_rate double,
    threshold double,
    roc_auc double,
    pr_auc double,
    f1_score double,
    precision_score double,
    recall_score double,
    accuracy double,
    brier_score double,
    expected_calibration_error double,
    true_positives bigint,
    false_positives bigint,
    true_negatives bigint,
    false_negatives bigint,
    heuristic_roc_auc double,
    heuristic_f1 double,
    heuristic_precision double,
    heuristic_recall double,
    lapsed_churn_rate double,
    is_champion boolean
);

create table if not exists GOLD.CHURN_FEATURE_IMPORTANCE (
    training_run_id varchar,
    model_version varchar,
    trainer varchar,
    feature varchar,
    importance double,
    importance_std double,
    importance_rank integer,
    method varchar,
    computed_at timestamp
);

-- One row per training attempt (c360 train or the churn_model step): what was trained on which data, the
-- champion/challenger decision and why. champion_version is the champion after the run.
create table if not exists OBSERVABILITY.CHURN_TRAINING_RUNS (
    training_run_id varchar,
    pipeline_run_id varchar,
    trainer varchar,
    started_at timestamp,
    finished_at timestamp,
    status varchar,
    reason varchar,
    challenger_version varchar,
    champion_version_before varchar,
    champion_version varchar,
    data_fingerprint varchar,
    as_of_date date,
    train_cutoffs varchar,
    validation_cutoff date,
    train_rows bigint,
    validation_rows bigint,
    roc_auc double,
    pr_auc double,
    f1_score double,
    precision_score double,
    recall_score double,
    threshold double,
    seconds double,
    details varchar
);
