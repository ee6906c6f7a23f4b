-- Quarantined rows by reason code (file-level findings have row_number 0), with a sample reason.
-- Parameter: the start of the last hour.
select
    coalesce(reason_code, 'UNCLASSIFIED') as reason_code,
    count(*) filter (where row_number > 0) as rows,
    count(*) filter (where row_number > 0 and quarantined_at >= ?) as rows_last_hour,
    count(*) filter (where row_number = 0) as file_level,
    count(distinct file_name) as files,
    max(quarantined_at) as last_seen_at,
    min(reason) as example_reason
from OBSERVABILITY.QUARANTINE
group by 1
order by rows desc, file_level desc, reason_code
