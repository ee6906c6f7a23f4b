-- One LOAD_HISTORY row per delivered file (also for skipped duplicates and files that disappeared).
insert into OBSERVABILITY.LOAD_HISTORY (
    load_id, run_id, file_name, file_checksum, table_name, status, rows_in_file, rows_loaded,
    rows_quarantined, first_error, landed_at, loaded_at, file_size
)
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
