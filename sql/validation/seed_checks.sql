-- The seed's validation suite and the segment-quality measure as the last dbt build left them
-- (dbt model validation_seed_checks). No parameters.
select
    check_id,
    check_name,
    subject,
    measured_value,
    lower_bound,
    upper_bound,
    unit,
    status,
    seed_expectation,
    our_expectation,
    as_of_date
from SILVER.VALIDATION_SEED_CHECKS
order by check_id, subject
