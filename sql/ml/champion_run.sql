-- The champion after the most recent completed training run, and the run that promoted it.
with latest as (
    select champion_version
    from OBSERVABILITY.CHURN_TRAINING_RUNS
    where champion_version is not null
    order by finished_at desc, started_at desc
    limit 1
)
select r.*
from OBSERVABILITY.CHURN_TRAINING_RUNS as r
inner join latest as l
    on r.challenger_version = l.champion_version
where r.status = 'PROMOTED'
order by r.finished_at desc
limit 1
