-- Stored feature importance of one model version, most important first.
select feature, importance, importance_std, importance_rank, method
from GOLD.CHURN_FEATURE_IMPORTANCE
where model_version = ?
order by importance_rank
