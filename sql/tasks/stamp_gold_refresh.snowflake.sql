-- Last task of the DAG (C360_TXN_STAMP_GOLD, after C360_TXN_REFRESH succeeded): every file the pipe loaded
-- before this graph run was scheduled is in gold now, so LOAD_HISTORY.gold_refreshed_at is stamped (landing ->
-- gold latency, as `c360 stream` stamps it locally; the landing_to_gold_latency alert reads it). A failed
-- refresh never runs this task: its files stay unstamped and their age counts in the alert.
update CUSTOMER_ANALYTICS.OBSERVABILITY.LOAD_HISTORY
set gold_refreshed_at = current_timestamp()::timestamp_ntz
where gold_refreshed_at is null
    and rows_loaded > 0
    and loaded_at <= to_timestamp_ltz(
        system$task_runtime_info('CURRENT_TASK_GRAPH_ORIGINAL_SCHEDULED_TIMESTAMP')
    )::timestamp_ntz
