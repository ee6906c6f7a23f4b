-- Every current customer at the as-of date, with how the churn step scores them (scoring_basis).
select *
from GOLD.ML_SCORING_DATA
order by customer_id
