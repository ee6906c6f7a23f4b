-- Child of C360_TXN_CAPTURE (C360_TXN_RECORD_LOADS): one OBSERVABILITY.LOAD_HISTORY row per file the
-- pipe processed in the last 24 h (COPY_HISTORY), each recorded once (load_id = file + load time).
insert into CUSTOMER_ANALYTICS.OBSERVABILITY.LOAD_HISTORY (
    load_id, run_id, file_name, file_checksum, table_name, status, rows_in_file, rows_loaded,
    rows_quarantined, first_error, landed_at, loaded_at, file_size
)
with pipe_loads as (
    select
        'pipe-' || md5(h.file_name || '|' || to_varchar(h.last_load_time)) as load_id,
        h.*
    from table(
        CUSTOMER_ANALYTICS.information_schema.copy_history(
            table_name => 'CUSTOMER_ANALYTICS.BRONZE.BRONZE_TRANSACTIONS',
            start_time => dateadd(hour, -24, current_timestamp())
        )
    ) as h
    where h.pipe_catalog_name = 'CUSTOMER_ANALYTICS'
        and h.pipe_schema_name = 'BRONZE'
        and h.pipe_name = 'BRONZE_TRANSACTIONS_PIPE'
)
select
    p.load_id,
    'task-' || system$task_runtime_info('CURRENT_TASK_GRAPH_RUN_GROUP_ID'),
    p.file_name,
    null,
    'BRONZE.BRONZE_TRANSACTIONS',
    case upper(p.status)
        when 'LOADED' then 'LOADED'
        when 'PARTIALLY LOADED' then 'PARTIALLY_LOADED'
        else 'LOAD_FAILED'
    end,
    p.row_parsed,
    p.row_count,
    p.error_count,
    p.first_error_message,
    p.pipe_received_time::timestamp_ntz,
    p.last_load_time::timestamp_ntz,
    p.file_size
from pipe_loads as p
where not exists (
    select 1
    from CUSTOMER_ANALYTICS.OBSERVABILITY.LOAD_HISTORY as l
    where l.load_id = p.load_id
)
