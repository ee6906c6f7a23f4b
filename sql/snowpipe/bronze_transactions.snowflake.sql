-- Snowpipe (AUTO_INGEST) for the hourly streaming files: S3 ObjectCreated under transactions/streaming/
-- -> SNS topic -> Snowflake's SQS queue -> this COPY. Declared by the Pulumi stack
-- (components/ingestion.py); it must stay ONE statement with no trailing semicolon.
-- ON_ERROR = CONTINUE loads the good rows and sets the bad ones aside; the C360_TXN_RECORD_QUARANTINE
-- task copies them (VALIDATE_PIPE_LOAD) into OBSERVABILITY.QUARANTINE with the reason and the raw line,
-- and C360_TXN_RECORD_LOADS writes one LOAD_HISTORY row per file (COPY_HISTORY), so for every file
-- rows loaded + rows quarantined = rows in the file.
-- source_file is the object's key in the bucket. METADATA$FILENAME is documented as the file name
-- "including the full path" (https://docs.snowflake.com/en/user-guide/querying-metadata), i.e. it already
-- starts with the stage URL's path; the CASE keeps the key right should it ever be stage-relative instead.
-- CASE, STARTSWITH and || are functions COPY transformations support
-- (https://docs.snowflake.com/en/user-guide/data-load-transform#supported-functions). The local pipe
-- evaluates this very expression (c360/landing/stage_metadata.py).
copy into CUSTOMER_ANALYTICS.BRONZE.BRONZE_TRANSACTIONS (
    transaction_id, customer_id, transaction_date, transaction_amount, merchant_name, merchant_category,
    channel, status, ingestion_timestamp, source_file, source_row_number
)
from (
    select
        $1, $2, $3, $4, $5, $6, $7, $8,
        current_timestamp()::timestamp_ntz,
        case
            when startswith(metadata$filename, 'transactions/streaming/') then metadata$filename
            else 'transactions/streaming/' || metadata$filename
        end,
        metadata$file_row_number
    from @CUSTOMER_ANALYTICS.BRONZE.TRANSACTION_STAGE_STREAMING
)
file_format = (format_name = 'CUSTOMER_ANALYTICS.BRONZE.CSV_FORMAT')
on_error = continue
