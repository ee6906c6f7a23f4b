-- Bulk load of the landed customer files (ON_ERROR = ABORT_STATEMENT: one bad row rejects the file):
-- customers.csv (every customer's state at the start) and the monthly change files under changes/ (card
-- upgrades and limit changes, dated by updated_at), in one COPY. The stage and file format are declared by
-- the Pulumi stack (components/ingestion.py); the customers step removed stale change files first.
-- source_file is the object's key in the bucket (customers/customers.csv, customers/changes/...):
-- METADATA$FILENAME includes the stage URL's path (https://docs.snowflake.com/en/user-guide/querying-metadata);
-- the CASE keeps the key right under a stage-relative reading too (same expression as the pipe,
-- c360/landing/stage_metadata.py).
copy into CUSTOMER_ANALYTICS.BRONZE.BRONZE_CUSTOMERS (
    customer_id, first_name, last_name, email, age, state, city, employment_status, card_type,
    credit_limit, account_open_date, customer_segment, decline_type, campaign_group, attrition_date,
    attrition_type, updated_at, ingestion_timestamp, source_file, source_row_number
)
from (
    select
        $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
        current_timestamp()::timestamp_ntz,
        case
            when startswith(metadata$filename, 'customers/') then metadata$filename
            else 'customers/' || metadata$filename
        end,
        metadata$file_row_number
    from @CUSTOMER_ANALYTICS.BRONZE.CUSTOMER_STAGE
)
pattern = '(.*/)?(customers[.]csv|changes/customer_changes_[0-9]{6}[.]csv)'
file_format = (format_name = 'CUSTOMER_ANALYTICS.BRONZE.CSV_FORMAT')
on_error = abort_statement
force = true;
