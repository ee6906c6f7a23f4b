-- Files under a prefix that the pipe has already taken care of, with the newest landing it processed
-- (for `refresh`: re-queue objects never processed, or stored again since). Parameter: the prefix.
select file_name, max(landed_at) as last_landed_at
from OBSERVABILITY.LOAD_HISTORY
where starts_with(file_name, ?) and status <> 'FILE_MISSING'
group by file_name
