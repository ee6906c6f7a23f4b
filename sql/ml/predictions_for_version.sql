-- How many customers a model version has scored (all scoring runs).
select count(*) as predictions
from GOLD.CHURN_PREDICTIONS
where model_version = ?
