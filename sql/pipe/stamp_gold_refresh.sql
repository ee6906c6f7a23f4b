-- The moment the gold refresh that includes these loads became visible to readers (snapshot published).
update OBSERVABILITY.LOAD_HISTORY
set gold_refreshed_at = ?
where list_contains(?::varchar[], load_id)
