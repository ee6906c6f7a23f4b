-- Per streamed file: where its records went, and how often it was recorded (the fault-injection harness's
-- final check, c360/bench/faultinjection.py). A record is in bronze exactly once or in the quarantine
-- exactly once; a file has exactly one LOAD_HISTORY row that loaded it (re-deliveries are
-- SKIPPED_DUPLICATE rows that load nothing). Parameter: the streaming prefix (three times).
with

bronze as (
    select
        source_file as file_name,
        count(*) as bronze_rows,
        count(distinct source_row_number) as bronze_row_numbers,
        count(distinct transaction_id) as bronze_ids
    from BRONZE.BRONZE_TRANSACTIONS
    where starts_with(source_file, ?)
    group by source_file
),

quarantined as (
    select
        file_name,
        count(*) as quarantined_rows,
        count(distinct row_number) as quarantined_row_numbers
    from OBSERVABILITY.QUARANTINE
    where starts_with(file_name, ?) and row_number > 0
    group by file_name
),

both_places as (
    select b.source_file as file_name, count(*) as rows_in_both
    from BRONZE.BRONZE_TRANSACTIONS as b
    inner join OBSERVABILITY.QUARANTINE as q
        on b.source_file = q.file_name and b.source_row_number = q.row_number
    group by b.source_file
),

history as (
    select
        file_name,
        count(*) filter (where status not in ('SKIPPED_DUPLICATE', 'FILE_MISSING')) as loads,
        count(*) filter (where status = 'SKIPPED_DUPLICATE') as skipped_redeliveries,
        count(*) filter (where status = 'LOAD_FAILED') as failed_loads,
        sum(rows_loaded) filter (where status not in ('SKIPPED_DUPLICATE', 'FILE_MISSING')) as history_loaded,
        sum(rows_quarantined) filter (where status not in ('SKIPPED_DUPLICATE', 'FILE_MISSING'))
            as history_quarantined
    from OBSERVABILITY.LOAD_HISTORY
    where starts_with(file_name, ?)
    group by file_name
)

select
    h.file_name,
    h.loads,
    h.skipped_redeliveries,
    h.failed_loads,
    coalesce(h.history_loaded, 0) as history_loaded,
    coalesce(h.history_quarantined, 0) as history_quarantined,
    coalesce(b.bronze_rows, 0) as bronze_rows,
    coalesce(b.bronze_row_numbers, 0) as bronze_row_numbers,
    coalesce(b.bronze_ids, 0) as bronze_ids,
    coalesce(q.quarantined_rows, 0) as quarantined_rows,
    coalesce(q.quarantined_row_numbers, 0) as quarantined_row_numbers,
    coalesce(x.rows_in_both, 0) as rows_in_both
from history as h
left join bronze as b
    on h.file_name = b.file_name
left join quarantined as q
    on h.file_name = q.file_name
left join both_places as x
    on h.file_name = x.file_name
order by h.file_name
