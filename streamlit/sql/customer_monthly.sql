-- One customer's full monthly spend history with month-over-month change. Parameter: customer_id.
select
    month,
    monthly_spend,
    prior_month_spend,
    mom_change_pct,
    approved_transactions,
    declined_transactions,
    is_complete_month
from customer_analytics.gold.metric_mom_spend_change
where customer_id = ?
order by month
