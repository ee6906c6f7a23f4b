-- Bulk load of the landed customer files (ON_ERROR = ABORT_STATEMENT: one bad row rejects the file):
-- customers.csv (every customer's state at the start) and the monthly change files under changes/
-- (card upgrades and limit changes, dated by updated_at). The stage and file format are declared by the
-- Pulumi stack (components/ingestion.py); the step removed stale change files from the stage first.
copy into CUSTOMER_ANALYTICS.BRONZE.BRONZE_CUSTOMERS (
    customer_id, first_name, last_name, email, age, state, city, employment_status, card_type,
    credit_limit, account_open_date, customer_segment, decline_type, campaign_group, attrition_date,
    attrition_type, updated_at, ingestion_timestamp, source_file, source_row_number
)
from (
    select
        $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
        current_timestamp()::timestamp_ntz,
        'customers/' || metadata$filename,
        metadata$file_row_number
    from @CUSTOMER_ANALYTICS.BRONZE.CUSTOMER_STAGE
)
files = ('customers.csv')
file_format = (format_name = 'CUSTOMER_ANALYTICS.BRONZE.CSV_FORMAT')
on_error = abort_statement
force = true;

copy into CUSTOMER_ANALYTICS.BRONZE.BRONZE_CUSTOMERS (
    customer_id, first_name, last_name, email, age, state, city, employment_status, card_type,
    credit_limit, account_open_date, customer_segment, decline_type, campaign_group, attrition_date,
    attrition_type, updated_at, ingestion_timestamp, source_file, source_row_number
)
from (
    select
        $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
        current_timestamp()::timestamp_ntz,
        'customers/' || metadata$filename,
        metadata$file_row_number
    from @CUSTOMER_ANALYTICS.BRONZE.CUSTOMER_STAGE
)
pattern = '.*changes/customer_changes_[0-9]{6}[.]csv'
file_format = (format_name = 'CUSTOMER_ANALYTICS.BRONZE.CSV_FORMAT')
on_error = abort_statement
force = true;
