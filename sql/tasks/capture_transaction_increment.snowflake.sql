-- Task DAG root (C360_TXN_CAPTURE): runs on a schedule WHEN SYSTEM$STREAM_HAS_DATA on the bronze stream.
-- Reading the stream inside this DML advances its offset, so every batch of new bronze rows is counted
-- exactly once; the count lands in OBSERVABILITY.LAYER_RECORD_COUNTS under the task graph's run id,
-- which the child tasks use too.
insert into CUSTOMER_ANALYTICS.OBSERVABILITY.LAYER_RECORD_COUNTS (
    run_id, counted_at, layer, table_name, record_count
)
select
    'task-' || system$task_runtime_info('CURRENT_TASK_GRAPH_RUN_GROUP_ID'),
    current_timestamp()::timestamp_ntz,
    'bronze_increment',
    'BRONZE.BRONZE_TRANSACTIONS',
    count(*)
from CUSTOMER_ANALYTICS.BRONZE.BRONZE_TRANSACTIONS_STREAM
where metadata$action = 'INSERT'
