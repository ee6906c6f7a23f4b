-- Child of C360_TXN_CAPTURE (C360_TXN_RECORD_QUARANTINE): every row the pipe set aside
-- (ON_ERROR = CONTINUE) in the last 24 h goes to OBSERVABILITY.QUARANTINE with Snowflake's reason and
-- the raw record, once per (file, row number).
insert into CUSTOMER_ANALYTICS.OBSERVABILITY.QUARANTINE (
    load_id, file_name, row_number, raw_line, reason, reason_code, quarantined_at
)
select
    'pipe-' || md5(v."FILE"),
    v."FILE",
    v."ROW_NUMBER",
    v."REJECTED_RECORD",
    v."ERROR" || coalesce(' (column ' || v."COLUMN_NAME" || ')', ''),
    'snowflake_' || lower(coalesce(v."CATEGORY", 'error')),
    current_timestamp()::timestamp_ntz
from table(
    CUSTOMER_ANALYTICS.information_schema.validate_pipe_load(
        pipe_name => 'CUSTOMER_ANALYTICS.BRONZE.BRONZE_TRANSACTIONS_PIPE',
        start_time => dateadd(hour, -24, current_timestamp())
    )
) as v
where not exists (
    select 1
    from CUSTOMER_ANALYTICS.OBSERVABILITY.QUARANTINE as q
    where q.file_name = v."FILE" and q.row_number = v."ROW_NUMBER"
)
