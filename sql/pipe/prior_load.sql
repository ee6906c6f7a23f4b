-- Snowpipe-style load metadata: has this file (same name, same content checksum) been loaded before?
select load_id, status, loaded_at, rows_in_file, rows_loaded, rows_quarantined
from OBSERVABILITY.LOAD_HISTORY
where file_name = ? and file_checksum = ? and status not in ('SKIPPED_DUPLICATE', 'FILE_MISSING')
order by loaded_at
limit 1
