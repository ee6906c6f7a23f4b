-- Alert churn_scoring_failed (critical): 1 when the latest finished churn training/scoring run failed while
-- customers had been scored before, so their churn scores in GOLD are now stale; or when it failed for any
-- reason other than the training data's own validation. A portfolio too small to train on (TrainingDataError,
-- the churn step is then skipped and the app says "Not Scored") is not a failure of scoring.
with finished as (
    select
        run_id,
        started_at,
        status,
        error_message,
        row_number() over (order by started_at desc, run_id desc) as recency
    from OBSERVABILITY.PIPELINE_RUN_METADATA
    where run_type = 'churn_train' and status in ('SUCCESS', 'FAILED')
)

select
    case
        when latest.status = 'FAILED'
            and (
                coalesce(latest.error_message, '') not like 'TrainingDataError%'
                or exists (select 1 from finished as earlier where earlier.recency > 1 and earlier.status = 'SUCCESS')
            )
            then 1
        else 0
    end as observed_value
from finished as latest
where latest.recency = 1
