-- Recent training runs, newest first.
select *
from OBSERVABILITY.CHURN_TRAINING_RUNS
order by started_at desc
limit ?
