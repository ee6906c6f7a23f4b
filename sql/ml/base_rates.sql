-- Churn base rates per cutoff and customer group (population | lapsed | new).
select
    dataset,
    cutoff_date,
    customer_group,
    customers,
    churned_customers,
    inactive_churned_customers,
    spend_drop_churned_customers,
    churn_rate
from GOLD.ML_CHURN_BASE_RATES
order by cutoff_date, customer_group
