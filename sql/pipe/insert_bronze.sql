-- The accepted rows of one file into bronze, with load metadata (parameters: ingestion timestamp, file name).
-- pipe_rejected holds the rows the checks rejected; every other row passed them, so the casts cannot fail.
insert into BRONZE.BRONZE_TRANSACTIONS (
    transaction_id, customer_id, transaction_date, transaction_amount, merchant_name,
    merchant_category, channel, status, ingestion_timestamp, source_file, source_row_number
)
select
    transaction_id,
    customer_id,
    cast(transaction_date as timestamp),
    cast(transaction_amount as decimal(12, 2)),
    merchant_name,
    merchant_category,
    channel,
    status,
    ?,
    ?,
    row_number
from pipe_rows
where row_number not in (select row_number from pipe_rejected)
