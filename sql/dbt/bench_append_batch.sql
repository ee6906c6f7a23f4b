-- Benchmark only: append a batch of new transactions to bronze, copies of the most recent history rows
-- under new ids (params: id prefix, ingestion timestamp, source file, row count).
insert into BRONZE.BRONZE_TRANSACTIONS (
    transaction_id, customer_id, transaction_date, transaction_amount, merchant_name, merchant_category,
    channel, status, ingestion_timestamp, source_file, source_row_number
)
select
    ? || lpad(cast(row_number() over (order by transaction_id) as varchar), 6, '0'),
    customer_id,
    transaction_date,
    transaction_amount,
    merchant_name,
    merchant_category,
    channel,
    status,
    cast(? as timestamp),
    ?,
    row_number() over (order by transaction_id)
from (
    select * from BRONZE.BRONZE_TRANSACTIONS
    where transaction_date >= (select max(transaction_date) from BRONZE.BRONZE_TRANSACTIONS) - interval 1 day
    order by transaction_id
    limit ?
)
