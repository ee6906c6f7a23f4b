-- Sidebar facts, the platform's as-of date (the data's end; every window in the app is relative to it) and
-- where its transaction history starts (the earliest approved transaction: spend history and lifetime value
-- cover [history_start, as_of_date], however long ago an account was opened).
select
    count(*) as customers,
    max(as_of_date) as as_of_date,
    min(first_transaction_date) as history_start,
    max(profile_updated_at) as profile_updated_at,
    sum(case when churn_risk_score is not null then 1 else 0 end) as scored_customers
from customer_analytics.gold.customer_360_profile
