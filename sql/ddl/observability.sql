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

-- One row per dbt node per invocation (models, snapshots, seeds, tests), written by dbt's on-run-end hook
-- (dbt/macros/observability/model_execution_log.sql) on both targets: what ran, how it ended, rows, seconds.
create table if not exists OBSERVABILITY.MODEL_EXECUTION_LOG (
    run_id varchar,
    node_id varchar,
    node_name varchar,
    resource_type varchar,
    schema_name varchar,
    status varchar,
    rows_affected bigint,
    execution_seconds double,
    completed_at timestamp,
    message varchar
);

-- Customers whose segment changed in a dbt run that rebuilt GOLD.CUSTOMER_SEGMENTS (same hook), and the
-- assignment it is measured against (the previous run's, replaced by each run's own).
create table if not exists OBSERVABILITY.SEGMENT_SHIFTS (
    run_id varchar,
    measured_at timestamp,
    customers bigint,
    changed bigint,
    changed_share double
);

create table if not exists OBSERVABILITY.SEGMENT_ASSIGNMENTS (
    customer_id varchar,
    customer_segment varchar,
    run_id varchar
);

-- Observability views (seed 004), the same SQL on DuckDB and Snowflake; the Pipeline Health tab reads them.
-- The latest run of every pipeline (c360_up, dbt_build, dbt_run, churn_train, pipe, ...).
create or replace view OBSERVABILITY.V_LATEST_PIPELINE_RUNS as
select
    run_type,
    run_id,
    status,
    started_at,
    finished_at,
    duration_seconds,
    models_run,
    models_failed,
    rows_affected,
    error_message
from OBSERVABILITY.PIPELINE_RUN_METADATA
qualify row_number() over (partition by run_type order by started_at desc, run_id desc) = 1;

-- Data-quality checks that found something in the last 7 days (wall clock: runs happen in real time).
create or replace view OBSERVABILITY.V_RECENT_DQ_FAILURES as
select
    run_id,
    checked_at,
    layer,
    table_name,
    check_type,
    records_checked,
    records_failed,
    failure_rate,
    failure_details
from OBSERVABILITY.DATA_QUALITY_METRICS
where records_failed > 0
    and checked_at >= cast(current_timestamp as timestamp) - interval '7 days';

-- Daily record counts per table: the last count of each day, and how many counts were taken that day.
create or replace view OBSERVABILITY.V_RECORD_COUNT_TRENDS as
select
    cast(counted_at as date) as count_date,
    layer,
    table_name,
    max_by(record_count, counted_at) as record_count,
    min(record_count) as min_record_count,
    max(record_count) as max_record_count,
    count(*) as counts_taken
from OBSERVABILITY.LAYER_RECORD_COUNTS
group by cast(counted_at as date), layer, table_name;
