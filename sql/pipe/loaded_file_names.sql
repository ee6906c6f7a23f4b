-- Files under a prefix that the pipe has already taken care of (for `refresh`: re-queue the others).
select distinct file_name
from OBSERVABILITY.LOAD_HISTORY
where starts_with(file_name, ?) and status <> 'FILE_MISSING'
