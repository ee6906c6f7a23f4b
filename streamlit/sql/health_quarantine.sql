-- Quarantined rows by reason code (row 0 = a file-level finding), with an example reason.
select
    coalesce(reason_code, 'UNCLASSIFIED') as reason_code,
    sum(case when row_number > 0 then 1 else 0 end) as rows_quarantined,
    sum(case when row_number = 0 then 1 else 0 end) as file_level_findings,
    count(distinct file_name) as files,
    max(quarantined_at) as last_seen_at,
    min(reason) as example_reason
from customer_analytics.observability.quarantine
group by coalesce(reason_code, 'UNCLASSIFIED')
order by rows_quarantined desc, file_level_findings desc, reason_code
