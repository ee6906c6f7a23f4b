-- Alert segment_shift (info): % of customers whose segment changed in the latest build of customer_segments
-- (OBSERVABILITY.SEGMENT_SHIFTS, measured by dbt's end hook against the previous build).
select 100.0 * changed_share as observed_value
from OBSERVABILITY.SEGMENT_SHIFTS
qualify row_number() over (order by measured_at desc, run_id desc) = 1
