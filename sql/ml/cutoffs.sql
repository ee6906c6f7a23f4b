-- The churn model's cutoffs and label parameters (dbt model ml_cutoffs).
select
    dataset,
    cutoff_date,
    as_of_date,
    label_horizon_days,
    label_inactive_days,
    label_spend_ratio,
    baseline_days,
    population_active_days,
    lapsed_after_days,
    min_baseline_days
from GOLD.ML_CUTOFFS
order by cutoff_date
