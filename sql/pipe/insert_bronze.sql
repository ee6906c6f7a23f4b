-- The accepted rows of one file into bronze, with load metadata (parameters: ingestion timestamp, file name).
insert into BRONZE.BRONZE_TRANSACTIONS (
    transaction_id, customer_id, transaction_date, transaction_amount, merchant_name,
    merchant_category, channel, status, ingestion_timestamp, source_file, source_row_number
)
select
    transaction_id,
    customer_id,
    transaction_at,
    cast(transaction_amount as decimal(12, 2)),
    merchant_name,
    merchant_category,
    channel,
    status,
    ?,
    ?,
    row_number
from pipe_checked
where reason_code is null
order by row_number
