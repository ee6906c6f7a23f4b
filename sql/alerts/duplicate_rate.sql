-- Alert duplicate_rate (warning): duplicate transactions (re-deliveries of a transaction id already kept) as a
-- % of the rows that arrived since the previous check, for the latest check in the last hour. The check is
-- dbt's whole-table duplicate count (DATA_QUALITY_METRICS, SILVER.STG_TRANSACTIONS / duplicate) taken after
-- every refresh, so the difference between two consecutive checks is exactly the latest batch.
with checks as (
    select
        run_id,
        checked_at,
        records_checked,
        records_failed,
        lag(records_checked) over (order by checked_at, run_id) as previous_checked,
        lag(records_failed) over (order by checked_at, run_id) as previous_failed
    from OBSERVABILITY.DATA_QUALITY_METRICS
    where table_name = 'SILVER.STG_TRANSACTIONS' and check_type = 'duplicate'
)

select
    100.0 * (records_failed - previous_failed)
        / nullif(records_checked - previous_checked, 0) as observed_value
from checks
where checked_at >= cast(current_timestamp as timestamp) - interval '1 hour'
    and records_checked > previous_checked
qualify row_number() over (order by checked_at desc, run_id desc) = 1
