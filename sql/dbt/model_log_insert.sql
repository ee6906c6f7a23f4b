-- The per-node log of a dbt invocation that ran as one lake transaction and was rolled back (a node failed):
-- its end hook's rows went with the rollback, so the runtime records what the hook would have
-- (c360/transform/dbt.py; params: run id, node id, name, resource type, schema, status, seconds, message).
insert into OBSERVABILITY.MODEL_EXECUTION_LOG (
    run_id, node_id, node_name, resource_type, schema_name, status, rows_affected, execution_seconds,
    completed_at, message
)
values (?, ?, ?, ?, ?, ?, null, ?, current_localtimestamp(), ?)
