-- Observability tables. One row per run in PIPELINE_RUN_METADATA (inserted as STARTED, updated at the end).
create table if not exists OBSERVABILITY.PIPELINE_RUN_METADATA (
    run_id varchar,
    run_type varchar,
    started_at timestamp,
    finished_at timestamp,
    status varchar,
    duration_seconds double,
    models_run integer,
    models_failed integer,
    rows_affected bigint,
    error_message varchar,
    details varchar
);

create table if not exists OBSERVABILITY.DATA_QUALITY_METRICS (
    run_id varchar,
    checked_at timestamp,
    layer varchar,
    table_name varchar,
    check_type varchar,
    records_checked bigint,
    records_failed bigint,
    failure_rate double,
    failure_details varchar
);

create table if not exists OBSERVABILITY.LAYER_RECORD_COUNTS (
    run_id varchar,
    counted_at timestamp,
    layer varchar,
    table_name varchar,
    record_count bigint
);

create table if not exists OBSERVABILITY.LOAD_HISTORY (
    load_id varchar,
    run_id varchar,
    file_name varchar,
    file_checksum varchar,
    table_name varchar,
    status varchar,
    rows_in_file bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    first_error varchar,
    landed_at timestamp,
    loaded_at timestamp
);

create table if not exists OBSERVABILITY.QUARANTINE (
    load_id varchar,
    file_name varchar,
    row_number bigint,
    raw_line varchar,
    reason varchar,
    quarantined_at timestamp
);

create table if not exists OBSERVABILITY.STEP_STATE (
    step varchar,
    fingerprint varchar,
    completed_at timestamp,
    details varchar
);
