-- Rows of the current file the value checks rejected (the pipe attaches the raw lines).
select row_number, reason_code, reason
from pipe_rejected
order by row_number
