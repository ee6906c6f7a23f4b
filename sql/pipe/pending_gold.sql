-- Streaming files whose rows are in bronze but not yet in a published gold refresh (parameter: prefix).
select count(*) as files
from OBSERVABILITY.LOAD_HISTORY
where gold_refreshed_at is null and rows_loaded > 0 and starts_with(file_name, ?)
