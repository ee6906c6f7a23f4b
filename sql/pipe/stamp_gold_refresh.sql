-- After a successful gold refresh: every streaming file loaded before the refresh started is in gold.
-- Parameters: when readers could see it (snapshot published), when the refresh started, the prefix.
update OBSERVABILITY.LOAD_HISTORY
set gold_refreshed_at = ?
where gold_refreshed_at is null
    and rows_loaded > 0
    and loaded_at <= ?
    and starts_with(file_name, ?)
