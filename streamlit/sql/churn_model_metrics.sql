-- The churn model's evaluation metrics (temporal hold-out), newest model first.
select *
from customer_analytics.gold.churn_model_metrics
