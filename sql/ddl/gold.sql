-- GOLD tables written outside dbt. Idempotent. dbt declares them as sources (dbt/models/staging/__sources.yml).
-- CHURN_PREDICTIONS: the churn-model step writes one row per customer per scoring run; customer_360_profile
-- LEFT JOINs the latest row per customer (NULL scores and 'Not Scored' until a model exists).
create table if not exists GOLD.CHURN_PREDICTIONS (
    customer_id varchar,
    churn_probability double,
    churn_risk_score double,
    churn_risk_category varchar,
    predicted_churn boolean,
    model_version varchar,
    scored_at timestamp
);
